package dev.gatehouse.ir;

import java.util.List;

/**
 * One HTTPRoute rule with one of its matches: the unit of route precedence. A rule with several
 * matches appears once per match, each with the same filters and backends.
 *
 * @param route identity of the HTTPRoute and rule, for logs, metrics and explain
 * @param match what the request must satisfy
 * @param filters request/response filters of the rule, in declared order
 * @param backends weighted backends; empty with no filters that answer means 500
 * @param timeouts the rule's timeouts, never {@code null}
 * @param retry the rule's {@code retry} field, else its BackendTrafficPolicy's {@code retry}, else {@code null}
 *              (no retries beyond the replay of a request a reused connection lost)
 * @param sessionPersistence the rule's {@code sessionPersistence}, or {@code null}
 * @param security the SecurityPolicy that applies to the rule, or {@code null} (none)
 * @param rateLimit its BackendTrafficPolicy's {@code rateLimit}, or {@code null}
 * @param policies the policies that apply to the rule and why (at most one of each kind), for the views;
 *                 {@code null} when none (so that a snapshot without policies prints as before)
 */
public record HttpRuleSpec(RouteRef route, HttpMatchSpec match, List<FilterSpec> filters,
                           List<BackendRefSpec> backends, TimeoutSpec timeouts, RetrySpec retry,
                           SessionPersistenceSpec sessionPersistence, SecurityPolicySpec security,
                           RateLimitSpec rateLimit, List<PolicyChoice> policies) {
    public HttpRuleSpec {
        filters = List.copyOf(filters);
        backends = List.copyOf(backends);
        policies = policies == null || policies.isEmpty() ? null : List.copyOf(policies);
    }

    public HttpRuleSpec(RouteRef route, HttpMatchSpec match, List<FilterSpec> filters,
                        List<BackendRefSpec> backends, TimeoutSpec timeouts, RetrySpec retry,
                        SessionPersistenceSpec sessionPersistence, SecurityPolicySpec security,
                        RateLimitSpec rateLimit) {
        this(route, match, filters, backends, timeouts, retry, sessionPersistence, security, rateLimit, List.of());
    }

    public HttpRuleSpec(RouteRef route, HttpMatchSpec match, List<FilterSpec> filters,
                        List<BackendRefSpec> backends, TimeoutSpec timeouts) {
        this(route, match, filters, backends, timeouts, null, null, null);
    }

    public HttpRuleSpec(RouteRef route, HttpMatchSpec match, List<FilterSpec> filters,
                        List<BackendRefSpec> backends, TimeoutSpec timeouts, RetrySpec retry,
                        SessionPersistenceSpec sessionPersistence) {
        this(route, match, filters, backends, timeouts, retry, sessionPersistence, null);
    }

    public HttpRuleSpec(RouteRef route, HttpMatchSpec match, List<FilterSpec> filters,
                        List<BackendRefSpec> backends, TimeoutSpec timeouts, RetrySpec retry,
                        SessionPersistenceSpec sessionPersistence, SecurityPolicySpec security) {
        this(route, match, filters, backends, timeouts, retry, sessionPersistence, security, null);
    }

    /** This rule with {@code policy} as its SecurityPolicy. */
    public HttpRuleSpec withSecurity(SecurityPolicySpec policy) {
        return new HttpRuleSpec(route, match, filters, backends, timeouts, retry, sessionPersistence, policy,
                rateLimit, policies);
    }

    /** This rule with {@code choice} recorded (replacing an earlier choice of its kind). */
    public HttpRuleSpec withPolicyChoice(PolicyChoice choice) {
        List<PolicyChoice> all = new java.util.ArrayList<>(policies == null ? List.of() : policies);
        all.removeIf(c -> c.kind().equals(choice.kind()));
        // in the order they act: the SecurityPolicy's filters run before the BackendTrafficPolicy's rate limit
        all.add(choice.kind().equals("SecurityPolicy") ? 0 : all.size(), choice);
        return new HttpRuleSpec(route, match, filters, backends, timeouts, retry, sessionPersistence, security,
                rateLimit, all);
    }
}
