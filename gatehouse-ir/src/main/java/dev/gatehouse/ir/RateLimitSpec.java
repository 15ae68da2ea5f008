package dev.gatehouse.ir;

import java.util.List;

/**
 * The rate limits of one route rule: its BackendTrafficPolicy's {@code rateLimit.local} and {@code .global} rules,
 * each with the name of the counter it spends from.
 *
 * @param source "BackendTrafficPolicy ns/name", for explain, logs and metrics
 * @param rules local rules first, then global ones, each in the policy's order
 */
public record RateLimitSpec(String source, List<Rule> rules) {
    public RateLimitSpec {
        rules = List.copyOf(rules);
    }

    /** Where a rule counts: in this gateway process, or in Redis shared by every replica. */
    public enum Scope { LOCAL, GLOBAL }

    /** EG's units, with envoyproxy/ratelimit's lengths (a month is 30 days, a year 365). */
    public enum Unit {
        SECOND(1), MINUTE(60), HOUR(3_600), DAY(86_400), WEEK(604_800), MONTH(2_592_000), YEAR(31_536_000);

        private final long seconds;

        Unit(long seconds) {
            this.seconds = seconds;
        }

        public long seconds() {
            return seconds;
        }
    }

    /** How a header, query parameter or path is compared. */
    public enum MatchType { EXACT, PATH_PREFIX, REGULAR_EXPRESSION, DISTINCT }

    /**
     * One rule. The conditions of all its {@code clientSelectors} must hold (EG flattens them into one match); a
     * rule without any applies to every request of the rule.
     *
     * @param scope local or global
     * @param bucket the counter's name: policy, local/global and rule index, plus the route rule unless
     *               {@code shared}; {@code Distinct} selectors add the request's value to it
     * @param headers header conditions (AND)
     * @param methods method conditions (OR); empty: any method
     * @param path the path condition, or {@code null}
     * @param sourceCidr the client address condition, or {@code null}
     * @param queryParams query parameter conditions (AND)
     * @param consumer gatehouse's {@code consumer} selector: the SecurityPolicy's consumer of the request, or
     *                 {@code null}
     * @param requests requests allowed per unit
     * @param unit the window
     * @param cost what one request spends ({@code cost.request.number}, default 1)
     * @param shadowMode count but never refuse (global only)
     * @param headersOn whether answers carry the {@code x-ratelimit-*} headers ({@code xRateLimitHeaders}, default on)
     */
    public record Rule(Scope scope, String bucket, List<ValueMatch> headers, List<MethodMatch> methods,
                       ValueMatch path, CidrMatch sourceCidr, List<ValueMatch> queryParams, ValueMatch consumer,
                       long requests,
                       Unit unit, long cost, boolean shadowMode, boolean headersOn) {
        public Rule {
            headers = List.copyOf(headers);
            methods = List.copyOf(methods);
            queryParams = List.copyOf(queryParams);
        }
    }

    /**
     * A header, query parameter, path or consumer condition; {@code name} is null for the path and the consumer,
     * {@code value} for {@code DISTINCT}.
     */
    public record ValueMatch(String name, MatchType type, String value, boolean invert) { }

    public record MethodMatch(String method, boolean invert) { }

    /** {@code sourceCIDR}: {@code distinct} gives each client address its own counter. */
    public record CidrMatch(String cidr, boolean distinct, boolean invert) { }
}
