package dev.gatehouse.routing.balance;

import java.time.Instant;

/**
 * One endpoint's health at one moment, immutable; each event computes the next verdict with a pure function,
 * so the state machine is tested without clocks or sockets.
 *
 * @param state what the balancer acts on
 * @param since when {@code state} was entered (for UNKNOWN: when the endpoint appeared)
 * @param lastFailure the last probe or passive failure, or {@code null}
 * @param consecutiveSuccesses probe successes since the last failure
 * @param consecutiveFailures probe failures since the last success
 * @param passiveFailures request failures in the current passive window
 * @param passiveWindowStartNanos {@link System#nanoTime()} of the window's first failure
 * @param timedEjection true when a passive ejection ends by itself at {@code ejectedUntilNanos}
 * @param ejectedUntilNanos see {@code timedEjection}
 */
public record HealthVerdict(HealthState state, Instant since, String lastFailure, int consecutiveSuccesses,
                            int consecutiveFailures, int passiveFailures, long passiveWindowStartNanos,
                            boolean timedEjection, long ejectedUntilNanos) {

    public static HealthVerdict unknown(Instant since) {
        return new HealthVerdict(HealthState.UNKNOWN, since, null, 0, 0, 0, 0, false, 0);
    }

    /** A probe connected: the first one makes an UNKNOWN endpoint HEALTHY, an UNHEALTHY one needs the threshold. */
    public HealthVerdict onProbeSuccess(HealthPolicy policy, Instant now) {
        int successes = saturatedIncrement(consecutiveSuccesses);
        HealthState next = switch (state) {
            case UNKNOWN -> HealthState.HEALTHY;
            case HEALTHY -> HealthState.HEALTHY;
            case UNHEALTHY -> successes >= policy.healthyThreshold() ? HealthState.HEALTHY : HealthState.UNHEALTHY;
        };
        boolean changed = next != state;
        // a success clears the passive streak too: the failures it counted were not consecutive after all
        return new HealthVerdict(next, changed ? now : since, lastFailure, successes, 0, 0, 0,
                !changed && timedEjection, changed ? 0 : ejectedUntilNanos);
    }

    /** A probe failed (refused, timed out...). */
    public HealthVerdict onProbeFailure(HealthPolicy policy, String reason, Instant now) {
        int failures = saturatedIncrement(consecutiveFailures);
        HealthState next = failures >= policy.unhealthyThreshold() ? HealthState.UNHEALTHY : state;
        boolean changed = next != state;
        // probes that confirm a timed passive ejection take it over: it then ends with probe successes, not with
        // the clock (which would send traffic back to an endpoint the checks still fail)
        boolean timed = !changed && timedEjection && failures < policy.unhealthyThreshold();
        return new HealthVerdict(next, changed ? now : since, reason, 0, failures, passiveFailures,
                passiveWindowStartNanos, timed, timed ? ejectedUntilNanos : 0);
    }

    /**
     * A request could not connect, or the connection broke before the response head. Failures closer together
     * than the passive window count as consecutive (nginx's max_fails/fail_timeout): counting successes too would
     * put a write on every proxied response.
     */
    public HealthVerdict onPassiveFailure(HealthPolicy policy, String reason, Instant now, long nowNanos) {
        if (state == HealthState.UNHEALTHY) {
            return new HealthVerdict(state, since, reason, consecutiveSuccesses, consecutiveFailures, passiveFailures,
                    passiveWindowStartNanos, timedEjection, ejectedUntilNanos);
        }
        boolean windowOpen = passiveFailures > 0 && nowNanos - passiveWindowStartNanos <= policy.passiveWindow().toNanos();
        int count = windowOpen ? passiveFailures + 1 : 1;
        long windowStart = windowOpen ? passiveWindowStartNanos : nowNanos;
        if (count < policy.passiveFailures()) {
            return new HealthVerdict(state, since, reason, consecutiveSuccesses, consecutiveFailures, count, windowStart,
                    false, 0);
        }
        boolean timed = !policy.ejectionTime().isZero();
        return new HealthVerdict(HealthState.UNHEALTHY, now, reason, 0, consecutiveFailures, 0, 0, timed,
                timed ? nowNanos + policy.ejectionTime().toNanos() : 0);
    }

    /** @return true when a timed passive ejection is over at {@code nowNanos} */
    public boolean ejectionElapsed(long nowNanos) {
        return state == HealthState.UNHEALTHY && timedEjection && nowNanos - ejectedUntilNanos >= 0;
    }

    /**
     * The end of a timed ejection: routable again, and UNKNOWN rather than HEALTHY because nothing has shown it
     * works; the last failure is kept for operators.
     */
    public HealthVerdict onEjectionElapsed(Instant now) {
        return new HealthVerdict(HealthState.UNKNOWN, now, lastFailure, 0, 0, 0, 0, false, 0);
    }

    private static int saturatedIncrement(int n) {
        return n == Integer.MAX_VALUE ? n : n + 1;
    }
}
