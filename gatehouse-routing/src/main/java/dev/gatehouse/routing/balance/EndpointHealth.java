package dev.gatehouse.routing.balance;

import io.netty.util.NetUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.function.UnaryOperator;

/**
 * The live health of one endpoint address. Balancers hold it from compile time, so the hot path is one volatile
 * read ({@link #routable()}); events replace the immutable {@link HealthVerdict} by compare-and-set, so probes on
 * any event loop, passive reports from requests and admin reads never lock. Transitions are logged at INFO by the
 * thread whose CAS made them.
 */
public final class EndpointHealth {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointHealth.class);
    private static final VarHandle VERDICT;

    static {
        try {
            VERDICT = MethodHandles.lookup().findVarHandle(EndpointHealth.class, "verdict", HealthVerdict.class);
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
    /** "ns/a:80, ns/b:80": the clusters listing this address, for log lines; rewritten on reload. */
    private volatile String clusters;

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

    /**
     * Hot path: may a balancer send a request here? Reads the clock only for an UNHEALTHY endpoint under a timed
     * ejection, so the common case is one volatile read and a compare.
     */
    public boolean routable() {
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

    /** An active probe failed; {@code reason} is short ("connection refused", "connect timeout"). */
    public void probeFailed(String reason) {
        HealthPolicy policy = registry.policy();
        update(v -> v.onProbeFailure(policy, reason, now()), reason);
    }

    /** A request's connect failed or its connection broke before the response head. */
    /**
     * Passive health from answers (outlier detection): the endpoint answered {@code status}. Called on an event
     * loop for every response head of a cluster whose policy has {@code healthCheck.passive}: must stay cheap.
     */
    public void passiveResponse(int status) {
    }

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

    /** "127.0.0.1:3001", "[::1]:3001" */
    public String describe() {
        return NetUtil.toSocketAddressString(address);
    }

    @Override
    public String toString() {
        return "EndpointHealth[" + describe() + " " + verdict + "]";
    }
}
