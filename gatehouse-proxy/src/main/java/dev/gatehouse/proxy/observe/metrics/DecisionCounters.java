package dev.gatehouse.proxy.observe.metrics;

import dev.gatehouse.routing.filter.AuthOutcome;
import dev.gatehouse.routing.filter.RateLimitOutcome;

/**
 * Where one rule's filter decisions are counted: by route ({@code gatehouse_auth_outcomes_total},
 * {@code gatehouse_ratelimit_outcomes_total}) and by the policy that decided ({@code gatehouse_policy_outcomes_total},
 * one outcome set for both kinds). Any of them {@code null} where the rule has no such filter or policy.
 */
record DecisionCounters(OutcomeCounters auth, OutcomeCounters rateLimit, OutcomeCounters securityPolicy,
                        OutcomeCounters trafficPolicy) {
    static final DecisionCounters NONE = new DecisionCounters(null, null, null, null);

    /** The {@code outcome} label values of the policy family: bounded, the same for every policy kind. */
    static final String[] POLICY_OUTCOMES = {"allowed", "denied", "unauthenticated", "rate_limited", "error"};
    /** By ordinal: the policy outcome of each auth and rate-limit outcome. */
    private static final int[] OF_AUTH = new int[AuthOutcome.values().length];
    private static final int[] OF_RATE_LIMIT = new int[RateLimitOutcome.values().length];

    static {
        for (AuthOutcome o : AuthOutcome.values()) {
            OF_AUTH[o.ordinal()] = policyOutcome(o.label());
        }
        for (RateLimitOutcome o : RateLimitOutcome.values()) {
            OF_RATE_LIMIT[o.ordinal()] = policyOutcome(o == RateLimitOutcome.LIMITED ? "rate_limited" : o.label());
        }
    }

    private static int policyOutcome(String label) {
        for (int i = 0; i < POLICY_OUTCOMES.length; i++) {
            if (POLICY_OUTCOMES[i].equals(label)) {
                return i;
            }
        }
        throw new IllegalStateException("no policy outcome for " + label);
    }

    /** Array indexing and an add: on the request's event loop when it completes. */
    void record(AuthOutcome authOutcome, RateLimitOutcome rateLimitOutcome) {
        if (authOutcome != null) {
            if (auth != null) {
                auth.increment(authOutcome.ordinal());
            }
            if (securityPolicy != null) {
                securityPolicy.increment(OF_AUTH[authOutcome.ordinal()]);
            }
        }
        if (rateLimitOutcome != null) {
            if (rateLimit != null) {
                rateLimit.increment(rateLimitOutcome.ordinal());
            }
            if (trafficPolicy != null) {
                trafficPolicy.increment(OF_RATE_LIMIT[rateLimitOutcome.ordinal()]);
            }
        }
    }
}
