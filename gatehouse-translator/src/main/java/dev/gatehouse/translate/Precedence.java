package dev.gatehouse.translate;

import dev.gatehouse.ir.HttpMatchSpec;

import java.util.Comparator;

/**
 * Order of rules within one hostname, as HTTPRouteRule's precedence list says: exact path, then longest
 * prefix, then method, then most headers, then most query params; ties go to the oldest route, then
 * "namespace/name" order, then declaration order.
 *
 * <p>RegularExpression paths are implementation-specific in the spec. We rank them between Exact and
 * PathPrefix, as Envoy Gateway does: a regex is written to select specific paths, so it should beat the
 * catch-all prefixes, but an exact path is always more specific. Among regexes, longer patterns first.
 */
final class Precedence {
    static final Comparator<RouteRule> ORDER = Comparator
            .comparingInt((RouteRule r) -> pathRank(r.spec().match().path().type()))
            .thenComparing(Comparator.comparingInt((RouteRule r) -> r.spec().match().path().value().length()).reversed())
            .thenComparingInt(r -> r.spec().match().method() == null ? 1 : 0)
            .thenComparing(Comparator.comparingInt((RouteRule r) -> r.spec().match().headers().size()).reversed())
            .thenComparing(Comparator.comparingInt((RouteRule r) -> r.spec().match().queryParams().size()).reversed())
            .thenComparing(RouteRule::created)
            .thenComparing(r -> r.spec().route().qualifiedName())
            .thenComparingInt(r -> r.spec().route().ruleIndex())
            .thenComparingInt(r -> r.spec().route().matchIndex());

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
