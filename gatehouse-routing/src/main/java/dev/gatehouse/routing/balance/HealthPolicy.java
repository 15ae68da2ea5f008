package dev.gatehouse.routing.balance;

import java.time.Duration;

/**
 * Thresholds of the endpoint health state machine.
 *
 * @param healthyThreshold consecutive probe successes that bring an UNHEALTHY endpoint back (UNKNOWN needs one)
 * @param unhealthyThreshold consecutive probe failures that make an endpoint UNHEALTHY
 * @param passiveFailures connect failures or resets seen by requests, within {@code passiveWindow}, that eject it
 * @param passiveWindow how close together passive failures must be to count as consecutive
 * @param ejectionTime how long a passive ejection lasts when nothing probes; {@link Duration#ZERO} means
 *                     "until the active check sees {@code healthyThreshold} successes"
 */
public record HealthPolicy(int healthyThreshold, int unhealthyThreshold, int passiveFailures, Duration passiveWindow,
                           Duration ejectionTime) {
    /** 10 s, as nginx's {@code fail_timeout} and Envoy's {@code base_ejection_time}. */
    public static final Duration DEFAULT_EJECTION = Duration.ofSeconds(10);

    public HealthPolicy {
        if (healthyThreshold < 1 || unhealthyThreshold < 1 || passiveFailures < 1) {
            throw new IllegalArgumentException("health thresholds must be at least 1");
        }
        if (passiveWindow.isNegative() || ejectionTime.isNegative()) {
            throw new IllegalArgumentException("health durations must not be negative");
        }
    }

    /** Active checks run: they alone bring an ejected endpoint back (2 up, 2 down, 3 passive in 10 s). */
    public static HealthPolicy withActiveChecks() {
        return new HealthPolicy(2, 2, 3, DEFAULT_EJECTION, Duration.ZERO);
    }

    /** Nothing probes: a passive ejection ends by itself after {@link #DEFAULT_EJECTION}. */
    public static HealthPolicy passiveOnly() {
        return new HealthPolicy(2, 2, 3, DEFAULT_EJECTION, DEFAULT_EJECTION);
    }

    /** These thresholds for probes of a policy's own check; the passive settings stay. */
    public HealthPolicy withThresholds(int healthy, int unhealthy) {
        return healthy == healthyThreshold && unhealthy == unhealthyThreshold ? this
                : new HealthPolicy(healthy, unhealthy, passiveFailures, passiveWindow, ejectionTime);
    }
}
