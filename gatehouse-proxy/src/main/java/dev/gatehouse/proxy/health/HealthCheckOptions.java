package dev.gatehouse.proxy.health;

import dev.gatehouse.routing.balance.HealthPolicy;

import java.time.Duration;

/**
 * @param interval time between the end of one probe of an endpoint and the start of the next; zero disables
 *                 active checks (passive ejection then ends by itself after {@link HealthPolicy#DEFAULT_EJECTION})
 * @param timeout a probe that has not connected within this fails
 * @param noTrafficInterval the interval instead for endpoints whose clusters no request was ever routed to (Envoy's
 *                          {@code no_traffic_interval}); zero, or not above {@code interval}, = always {@code interval}
 */
public record HealthCheckOptions(Duration interval, Duration timeout, Duration noTrafficInterval) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    /** Envoy's default. */
    public static final Duration DEFAULT_NO_TRAFFIC_INTERVAL = Duration.ofSeconds(60);

    public HealthCheckOptions {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("health check interval must not be negative, got " + interval);
        }
        if (timeout.toMillis() < 1) {
            throw new IllegalArgumentException("health check timeout must be at least 1ms, got " + timeout);
        }
        if (noTrafficInterval.isNegative()) {
            throw new IllegalArgumentException("health check no-traffic interval must not be negative, got "
                    + noTrafficInterval);
        }
    }

    /** Every endpoint probed at {@code interval}, used or not. */
    public HealthCheckOptions(Duration interval, Duration timeout) {
        this(interval, timeout, Duration.ZERO);
    }

    public static HealthCheckOptions defaults() {
        return new HealthCheckOptions(DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_NO_TRAFFIC_INTERVAL);
    }

    /** Passive checks only. */
    public static HealthCheckOptions disabled() {
        return new HealthCheckOptions(Duration.ZERO, DEFAULT_TIMEOUT);
    }

    public boolean active() {
        return !interval.isZero();
    }

    /** Whether endpoints of never-used clusters are probed less often ({@link #noTrafficInterval} applies). */
    public boolean slowsUnused() {
        return active() && noTrafficInterval.compareTo(interval) > 0;
    }

    /** The state machine's thresholds: whether something probes decides how a passive ejection ends. */
    public HealthPolicy policy() {
        return active() ? HealthPolicy.withActiveChecks() : HealthPolicy.passiveOnly();
    }
}
