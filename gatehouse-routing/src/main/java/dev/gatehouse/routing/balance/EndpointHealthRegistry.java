package dev.gatehouse.routing.balance;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Every endpoint's {@link EndpointHealth}, keyed by address: long-lived (owned by the server, not by a snapshot),
 * so health survives config reloads, and an endpoint listed by two clusters has one verdict. The compiler resolves
 * each cluster's entries once ({@link #endpoint}); requests never look anything up here. After each swap
 * {@link #retain} drops the addresses the new snapshot no longer lists, so a returning address starts UNKNOWN.
 *
 * <p>Thread-safe: written by the control thread, read by the health checker and admin threads.
 */
public final class EndpointHealthRegistry {
    private volatile HealthPolicy policy;
    private volatile HealthEvents events = HealthEvents.NONE;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<InetSocketAddress, EndpointHealth> endpoints = new ConcurrentHashMap<>();

    public EndpointHealthRegistry(HealthPolicy policy) {
        this(policy, Clock.systemUTC(), System::nanoTime);
    }

    /** With explicit clocks (tests): wall time for "since", nanoTime for windows and ejections. */
    public EndpointHealthRegistry(HealthPolicy policy, Clock clock, LongSupplier nanoTime) {
        this.policy = policy;
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    public HealthPolicy policy() {
        return policy;
    }

    /**
     * Replaces the thresholds (the server switches to {@link HealthPolicy#withActiveChecks()} when it starts
     * probing); verdicts already reached stay, the next event is judged by the new policy.
     */
    public void policy(HealthPolicy next) {
        this.policy = java.util.Objects.requireNonNull(next);
    }

    /** Where ejections and transitions are counted (the proxy's metrics). */
    public void events(HealthEvents listener) {
        this.events = java.util.Objects.requireNonNull(listener);
    }

    HealthEvents events() {
        return events;
    }

    Clock clock() {
        return clock;
    }

    /** The clock ejections run on ({@link System#nanoTime()} unless a test gave another). */
    public long nanoTime() {
        return nanoTime.getAsLong();
    }

    /** The entry for {@code address}, created UNKNOWN on first sight (compile time, control thread). */
    public EndpointHealth endpoint(InetSocketAddress address, String cluster) {
        return endpoints.computeIfAbsent(address, a -> new EndpointHealth(a, this, cluster));
    }

    /** @return the entry, or {@code null} when no served cluster lists the address (admin, metrics) */
    public EndpointHealth find(InetSocketAddress address) {
        return endpoints.get(address);
    }

    /**
     * Makes the registry match the served clusters: creates missing entries (clusters compiled without this
     * registry still get probed and reported), relabels each entry with every cluster listing it, and removes the
     * rest. Call after the snapshot swap, on the control thread.
     */
    public void retain(Collection<? extends Cluster> clusters) {
        Map<InetSocketAddress, TreeSet<String>> names = new HashMap<>();
        for (Cluster cluster : clusters) {
            for (InetSocketAddress a : cluster.endpoints()) {
                names.computeIfAbsent(a, k -> new TreeSet<>()).add(cluster.name());
            }
        }
        endpoints.keySet().removeIf(a -> !names.containsKey(a));
        names.forEach((address, clusterNames) -> {
            String label = String.join(", ", clusterNames);
            endpoint(address, label).clusters(label);
        });
    }

    /** Every entry, sorted by address (admin, metrics, the health checker). */
    public List<EndpointHealth> all() {
        TreeMap<String, EndpointHealth> sorted = new TreeMap<>();
        endpoints.values().forEach(h -> sorted.put(h.describe(), h));
        return new ArrayList<>(sorted.values());
    }

    public int size() {
        return endpoints.size();
    }
}
