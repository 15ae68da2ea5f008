package dev.gatehouse.translate;

import dev.gatehouse.ir.HttpMatchSpec;

import java.util.Comparator;

/**
 * Order of rules within one hostname, as HTTPRouteRule's precedence list says: exact path, then longest
 * prefix, then method, then most headers, then most query params; ties go to the oldest route, then
 * "namespace/name" order, then declaration order.
 *
 * <p>GRPCRoute rules have an order of their own ({@link #ORDER}).
 *
 * <p>RegularExpression paths are implementation-specific in the spec. We rank them between Exact and
 * PathPrefix, as Envoy Gateway does: a regex is written to select specific paths, so it should beat the
 * catch-all prefixes, but an exact path is always more specific. Among regexes, longer patterns first.
 */
final class Precedence {
    private static final Comparator<RouteRule> TIES = Comparator.comparing(RouteRule::created)
            .thenComparing(r -> r.spec().route().qualifiedName())
            .thenComparingInt(r -> r.spec().route().ruleIndex())
            .thenComparingInt(r -> r.spec().route().matchIndex());

    private static final Comparator<RouteRule> HTTP = Comparator
            .comparingInt((RouteRule r) -> pathRank(r.spec().match().path().type()))
            .thenComparing(Comparator.comparingInt((RouteRule r) -> r.spec().match().path().value().length()).reversed())
            .thenComparingInt(r -> r.spec().match().method() == null ? 1 : 0)
            .thenComparing(Comparator.comparingInt((RouteRule r) -> r.spec().match().headers().size()).reversed())
            .thenComparing(Comparator.comparingInt((RouteRule r) -> r.spec().match().queryParams().size()).reversed())
            .thenComparing(TIES);

    /** GRPCRouteRule's list: most characters of service, then of method, then most header matches. */
    private static final Comparator<RouteRule> GRPC = Comparator
            .comparing((RouteRule r) -> r.grpcMethod().service().length(), Comparator.reverseOrder())
            .thenComparing(r -> r.grpcMethod().method().length(), Comparator.reverseOrder())
            .thenComparing(r -> r.spec().match().headers().size(), Comparator.reverseOrder())
            .thenComparing(TIES);

    /**
     * HTTPRoute rules before GRPCRoute rules, each in their own order. The spec forbids merging the two kinds, and
     * a listener never holds both under one hostname ({@link RouteAttacher} keeps the older route), so the kind
     * only decides anything between the rules of a less specific hostname appended to a virtual host.
     */
    static final Comparator<RouteRule> ORDER = Comparator.comparing((RouteRule r) -> r.grpcMethod() != null)
            .thenComparing((a, b) -> a.grpcMethod() == null ? HTTP.compare(a, b) : GRPC.compare(a, b));

    private Precedence() {
    }

    private static int pathRank(HttpMatchSpec.PathMatchType type) {
        return switch (type) {
            case EXACT -> 0;
            case REGULAR_EXPRESSION -> 1;
            case PATH_PREFIX -> 2;
        };
    }
}
