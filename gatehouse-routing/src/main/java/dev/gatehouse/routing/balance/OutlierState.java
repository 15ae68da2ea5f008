package dev.gatehouse.routing.balance;

import java.time.Instant;

/**
 * One endpoint's outlier-detection ejection (passive health from answers), immutable; replaced by compare-and-set.
 *
 * @param ejected true while the endpoint is out of the balancers' rotation
 * @param reason why the last ejection happened ("5 consecutive 5xx answers, last 500"), or {@code null}
 * @param code the reason as a metric label: consecutive_5xx, consecutive_gateway_errors, consecutive_local_origin_failures
 * @param since when the last ejection started, or {@code null}
 * @param untilNanos {@link System#nanoTime()} at which the current ejection ends
 * @param multiplier Envoy's ejection multiplier: the next ejection lasts {@code baseEjectionTime × (multiplier + 1)}; it
 *                   grows with each ejection and decays by one per review interval spent not ejected
 * @param multiplierAtNanos when {@code multiplier} was last set (the end of the last ejection), for the decay
 * @param ejections ejections since the endpoint appeared (admin)
 */
public record OutlierState(boolean ejected, String reason, String code, Instant since, long untilNanos, int multiplier,
                           long multiplierAtNanos, long ejections) {
    static final OutlierState NONE = new OutlierState(false, null, null, null, 0, 0, 0, 0);

    /** Nanoseconds of ejection left at {@code nowNanos} (0 when not ejected). */
    public long remainingNanos(long nowNanos) {
        return ejected ? Math.max(0, untilNanos - nowNanos) : 0;
    }

    /**
     * The multiplier after the decay Envoy applies at each interval sweep that finds the endpoint not ejected;
     * computed when needed instead of by a timer.
     */
    int decayedMultiplier(long nowNanos, long intervalNanos) {
        if (ejected || multiplier == 0 || intervalNanos <= 0) {
            return multiplier;
        }
        long sweeps = Math.max(0, nowNanos - multiplierAtNanos) / intervalNanos;
        return (int) Math.max(0, multiplier - Math.min(sweeps, Integer.MAX_VALUE));
    }

    OutlierState eject(String why, String label, Instant now, long nowNanos, long durationNanos, int nextMultiplier) {
        return new OutlierState(true, why, label, now, nowNanos + durationNanos, nextMultiplier, nowNanos,
                ejections + 1);
    }

    /** The ejection is over: back in rotation, the multiplier kept (it decays from now on). */
    OutlierState end() {
        return new OutlierState(false, reason, code, since, untilNanos, multiplier, untilNanos, ejections);
    }
}
