package dev.gatehouse.routing.balance;

import io.netty.util.NetUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * The live health of one endpoint address. Balancers hold it from compile time, so the hot path is two volatile
 * reads ({@link #routable()}); events replace the immutable {@link HealthVerdict} (active checks, connect failures)
 * and {@link OutlierState} (outlier detection) by compare-and-set, so probes on any event loop, passive reports from
 * requests and admin reads never lock. Transitions are logged at INFO by the
 * thread whose CAS made them.
 */
public final class EndpointHealth {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointHealth.class);
    private static final VarHandle VERDICT;
    private static final VarHandle OUTLIER;
    /** Envoy's default {@code max_ejection_time}: an ejection never lasts longer (unless the base time is longer). */
    static final long MAX_EJECTION_NANOS = Duration.ofSeconds(300).toNanos();

    static {
        try {
            VERDICT = MethodHandles.lookup().findVarHandle(EndpointHealth.class, "verdict", HealthVerdict.class);
            OUTLIER = MethodHandles.lookup().findVarHandle(EndpointHealth.class, "outlier", OutlierState.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final InetSocketAddress address;
    private final EndpointHealthRegistry registry;
    @SuppressWarnings("unused") // through VERDICT
    private volatile HealthVerdict verdict;
    /** When the registry first listed this address (nanoTime): slow start ramps from here, across reloads. */
    private final long firstSeenNanos;
    @SuppressWarnings("unused") // through OUTLIER
    private volatile OutlierState outlier = OutlierState.NONE;
    /**
     * Outlier detection's consecutive counts (5xx, gateway errors, local-origin failures), shared by every cluster
     * listing the address as the verdict is; written by the response path of any event loop, so atomics.
     */
    final AtomicInteger consecutive5xx = new AtomicInteger();
    final AtomicInteger consecutiveGateway = new AtomicInteger();
    final AtomicInteger consecutiveLocal = new AtomicInteger();
    /** "ns/a:80, ns/b:80": the clusters listing this address, for log lines; rewritten on reload. */
    private volatile String clusters;
    /**
     * Set once a request was routed to a cluster listing this address (not to the address itself: an unhealthy
     * endpoint gets no requests yet must be probed as often as its healthy peers); lives as long as the entry.
     */
    private volatile boolean routedTo;
    /** Told (once, on the request's loop) when {@link #routedTo} turns true: the prober speeds up. */
    private volatile Runnable onFirstTraffic;

    EndpointHealth(InetSocketAddress address, EndpointHealthRegistry registry, String clusters) {
        this.address = address;
        this.registry = registry;
        this.clusters = clusters;
        this.firstSeenNanos = registry.nanoTime();
        this.verdict = HealthVerdict.unknown(registry.clock().instant());
    }

    public InetSocketAddress address() {
        return address;
    }

    /** {@link System#nanoTime()} (the registry's clock) when the address first appeared; kept while it is listed. */
    public long firstSeenNanos() {
        return firstSeenNanos;
    }

    /** Clusters that list this endpoint, as written in log lines. */
    public String clusters() {
        return clusters;
    }

    void clusters(String names) {
        this.clusters = names;
    }

    /** Whether a request was ever routed to a cluster listing this address (Envoy's "had traffic"). */
    public boolean routedTo() {
        return routedTo;
    }

    /** A cluster listing this address was routed to; the first call runs the {@link #onFirstTraffic} listener. */
    void markRoutedTo() {
        if (!routedTo) {
            routedTo = true;
            Runnable listener = onFirstTraffic;
            onFirstTraffic = null; // told once: a stopped prober must not stay reachable from the entry
            if (listener != null) {
                listener.run();
            }
        }
    }

    /** What to run when the first request is routed to a cluster listing this address ({@code null}: nothing). */
    public void onFirstTraffic(Runnable listener) {
        this.onFirstTraffic = listener;
    }

    /**
     * Hot path: may a balancer send a request here? Reads the clock only for an ejected endpoint or an UNHEALTHY one
     * under a timed ejection, so the common case is two volatile reads and two compares.
     */
    public boolean routable() {
        OutlierState o = outlier;
        if (o.ejected() && !endEjection(o)) {
            return false;
        }
        HealthVerdict v = verdict;
        if (v.state() != HealthState.UNHEALTHY) {
            return true;
        }
        return v.timedEjection() && endTimedEjection();
    }

    /** The current verdict (ending a timed ejection that is due, so readers never see a stale one). */
    public HealthVerdict verdict() {
        HealthVerdict v = verdict;
        if (v.timedEjection()) {
            endTimedEjection();
            v = verdict;
        }
        return v;
    }

    public HealthState state() {
        return verdict().state();
    }

    /** An active probe connected. */
    public void probeSucceeded() {
        HealthPolicy policy = registry.policy();
        update(v -> v.onProbeSuccess(policy, now()), null);
    }

    /** An active probe of a check with its own thresholds (a policy's {@code healthCheck.active}) passed. */
    public void probeSucceeded(int healthyThreshold, int unhealthyThreshold) {
        HealthPolicy policy = registry.policy().withThresholds(healthyThreshold, unhealthyThreshold);
        update(v -> v.onProbeSuccess(policy, now()), null);
    }

    /** An active probe failed; {@code reason} is short ("connection refused", "connect timeout"). */
    public void probeFailed(String reason) {
        HealthPolicy policy = registry.policy();
        update(v -> v.onProbeFailure(policy, reason, now()), reason);
    }

    /** An active probe of a check with its own thresholds failed. */
    public void probeFailed(String reason, int healthyThreshold, int unhealthyThreshold) {
        HealthPolicy policy = registry.policy().withThresholds(healthyThreshold, unhealthyThreshold);
        update(v -> v.onProbeFailure(policy, reason, now()), reason);
    }

    /**
     * Passive health from answers, for callers without a cluster: counts nothing. Answers are judged by the
     * {@link OutlierDetector} of a cluster whose policy has {@code healthCheck.passive} (it holds the thresholds and
     * the cap), reached through {@link Cluster#reportResponse}; without that policy answers do not eject (today's
     * default: only connect failures do).
     */
    public void passiveResponse(int status) {
    }

    /** Outlier detection's state, ending an ejection that is due (admin, metrics, tests). */
    public OutlierState outlier() {
        OutlierState o = outlier;
        if (o.ejected()) {
            endEjection(o);
            o = outlier;
        }
        return o;
    }

    /** Envoy's rule: eject unless already ejected; the length is base × the (decayed) multiplier + 1, capped. */
    boolean eject(String cluster, String why, String code, long baseNanos, long intervalNanos) {
        long nowNanos = registry.nanoTime();
        while (true) {
            OutlierState o = outlier;
            if (o.ejected()) {
                return false;
            }
            long cap = Math.max(MAX_EJECTION_NANOS, baseNanos);
            int multiplier = o.decayedMultiplier(nowNanos, intervalNanos);
            // Envoy stops growing the multiplier once base × multiplier reaches max_ejection_time
            int next = baseNanos > 0 && baseNanos * multiplier >= cap ? multiplier : multiplier + 1;
            long duration = Math.min(cap, baseNanos * next);
            OutlierState after = o.eject(why, code, now(), nowNanos, duration, next);
            if (OUTLIER.compareAndSet(this, o, after)) {
                LOG.info("endpoint {} of {} ejected for {} ms (ejection {}): {}", describe(), cluster,
                        duration / 1_000_000, after.ejections(), why);
                registry.events().ejected(cluster, code);
                return true;
            }
        }
    }

    /** @return true when the ejection {@code o} is over (this call or another thread ended it) */
    private boolean endEjection(OutlierState o) {
        if (registry.nanoTime() - o.untilNanos() < 0) {
            return false;
        }
        if (OUTLIER.compareAndSet(this, o, o.end())) {
            LOG.info("endpoint {} of {} is back in rotation: its outlier ejection ended", describe(), clusters);
            registry.events().transition("returned");
        }
        return true;
    }

    /** A request's connect failed or its connection broke before the response head. */
    public void passiveFailure(String reason) {
        HealthPolicy policy = registry.policy();
        long nanos = registry.nanoTime();
        update(v -> v.onPassiveFailure(policy, reason, now(), nanos),
                policy.passiveFailures() + " failed requests, last: " + reason);
    }

    private boolean endTimedEjection() {
        long now = registry.nanoTime();
        HealthVerdict v;
        while ((v = verdict).ejectionElapsed(now)) {
            HealthVerdict next = v.onEjectionElapsed(now());
            if (VERDICT.compareAndSet(this, v, next)) {
                LOG.info("endpoint {} of {} is now {}: ejection of {} s ended", describe(), clusters, next.state(),
                        registry.policy().ejectionTime().toSeconds());
                registry.events().transition("returned");
                return true;
            }
        }
        return v.state() != HealthState.UNHEALTHY;
    }

    private void update(UnaryOperator<HealthVerdict> step, String reason) {
        while (true) {
            HealthVerdict before = verdict;
            HealthVerdict after = step.apply(before);
            if (VERDICT.compareAndSet(this, before, after)) {
                if (after.state() != before.state()) {
                    logTransition(after, reason);
                    registry.events().transition(after.state().name().toLowerCase(Locale.ROOT));
                }
                return;
            }
        }
    }

    private void logTransition(HealthVerdict after, String reason) {
        if (after.state() == HealthState.UNHEALTHY) {
            String how = after.timedEjection()
                    ? "; ejected for " + registry.policy().ejectionTime().toSeconds() + " s" : "";
            LOG.info("endpoint {} of {} is now UNHEALTHY: {}{}", describe(), clusters, reason, how);
        } else {
            LOG.info("endpoint {} of {} is now {}", describe(), clusters, after.state());
        }
    }

    private Instant now() {
        return registry.clock().instant();
    }

    /**
     * One line for explain: "healthy", "unhealthy: HTTP 503", "ejected, 12 s left: 5 consecutive 5xx, last: 500";
     * {@code null} while nothing is known (UNKNOWN and never ejected).
     */
    public String summary() {
        OutlierState o = outlier();
        if (o.ejected()) {
            long left = (o.remainingNanos(registry.nanoTime()) + 999_999_999L) / 1_000_000_000L;
            return "ejected, " + left + " s left: " + o.reason();
        }
        HealthVerdict v = verdict();
        return switch (v.state()) {
            case UNKNOWN -> null;
            case HEALTHY -> "healthy";
            case UNHEALTHY -> "unhealthy" + (v.lastFailure() == null ? "" : ": " + v.lastFailure());
        };
    }

    /** "127.0.0.1:3001", "[::1]:3001" */
    public String describe() {
        return NetUtil.toSocketAddressString(address);
    }

    @Override
    public String toString() {
        return "EndpointHealth[" + describe() + " " + verdict + "]";
    }
}
