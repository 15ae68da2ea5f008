package dev.gatehouse.routing.balance;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    /** The clusters of the last {@link #retain} by identity, and how many entries it left; control thread only. */
    private Set<Cluster> retained = Set.of();
    private int retainedSize = -1;

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
        // the compiler keeps an unchanged cluster's instance: the same clusters as last time, nothing to do
        if (retainedSize == endpoints.size() && sameInstances(retained, clusters)) {
            return;
        }
        // most addresses are one cluster's: its name, a sorted set only for those of several
        Map<InetSocketAddress, Object> names = new HashMap<>();
        for (Cluster cluster : clusters) {
            for (InetSocketAddress a : cluster.endpoints()) {
                names.merge(a, cluster.name(), EndpointHealthRegistry::bothNames);
            }
        }
        endpoints.keySet().removeIf(a -> !names.containsKey(a));
        names.forEach((address, clusterNames) -> {
            String label = clusterNames instanceof String one ? one : String.join(", ", castNames(clusterNames));
            endpoint(address, label).clusters(label);
        });
        carryRoutedTo(clusters);
        retained = identitySet(clusters);
        retainedSize = endpoints.size();
    }

    /**
     * A cluster rebuilt because its endpoints changed is a new instance: it had traffic if the one it replaces (by
     * name) had, so its new addresses are probed at the normal interval at once.
     */
    private void carryRoutedTo(Collection<? extends Cluster> clusters) {
        Set<String> routed = new HashSet<>();
        for (Cluster old : retained) {
            if (old.routedTo()) {
                routed.add(old.name());
            }
        }
        for (Cluster cluster : clusters) {
            if (!cluster.routedTo() && routed.contains(cluster.name())) {
                cluster.markRoutedTo();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static TreeSet<String> castNames(Object names) {
        return (TreeSet<String>) names;
    }

    private static Object bothNames(Object known, Object another) {
        TreeSet<String> set = known instanceof String one ? new TreeSet<>(List.of(one)) : castNames(known);
        set.add((String) another);
        return set;
    }

    /** The clusters as a set by identity, for {@link #sameInstances}. */
    public static Set<Cluster> identitySet(Collection<? extends Cluster> clusters) {
        Set<Cluster> out = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        out.addAll(clusters);
        return out;
    }

    /** Whether {@code clusters} are the very instances of {@code known}, in any order. */
    public static boolean sameInstances(Set<Cluster> known, Collection<? extends Cluster> clusters) {
        if (known.size() != clusters.size()) {
            return false;
        }
        for (Cluster c : clusters) {
            if (!known.contains(c)) {
                return false;
            }
        }
        return true;
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
