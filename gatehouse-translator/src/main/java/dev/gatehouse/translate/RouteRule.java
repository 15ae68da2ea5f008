package dev.gatehouse.translate;

import dev.gatehouse.ir.HttpRuleSpec;

import java.time.Instant;

/**
 * A translated rule/match with what precedence needs to know about its route.
 *
 * @param created the route's creation time ({@link Instant#MAX} when unknown)
 * @param grpcMethod the GRPCRoute method match this rule came from, or {@code null} for an HTTPRoute rule: gRPC
 *                   rules are ordered by their service and method, not by the path they are translated to
 */
record RouteRule(HttpRuleSpec spec, Instant created, GrpcMethod grpcMethod) {
    /** An HTTPRoute rule. */
    RouteRule(HttpRuleSpec spec, Instant created) {
        this(spec, created, null);
    }

    /** A GRPCRoute match's service and method as written (empty when omitted). */
    record GrpcMethod(String service, String method) { }
}
