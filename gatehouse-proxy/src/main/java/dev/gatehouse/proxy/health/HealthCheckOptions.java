package dev.gatehouse.proxy.health;

import dev.gatehouse.routing.balance.HealthPolicy;

import java.time.Duration;

/**
 * @param interval time between the end of one probe of an endpoint and the start of the next; zero disables
 *                 active checks (passive ejection then ends by itself after {@link HealthPolicy#DEFAULT_EJECTION})
 * @param timeout a probe that has not connected within this fails
 */
public record HealthCheckOptions(Duration interval, Duration timeout) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    public HealthCheckOptions {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("health check interval must not be negative, got " + interval);
        }
        if (timeout.toMillis() < 1) {
            throw new IllegalArgumentException("health check timeout must be at least 1ms, got " + timeout);
        }
    }

    public static HealthCheckOptions defaults() {
        return new HealthCheckOptions(DEFAULT_INTERVAL, DEFAULT_TIMEOUT);
    }

    /** Passive checks only. */
    public static HealthCheckOptions disabled() {
        return new HealthCheckOptions(Duration.ZERO, DEFAULT_TIMEOUT);
    }

    public boolean active() {
        return !interval.isZero();
    }

    /** The state machine's thresholds: whether something probes decides how a passive ejection ends. */
    public HealthPolicy policy() {
        return active() ? HealthPolicy.withActiveChecks() : HealthPolicy.passiveOnly();
    }
}
