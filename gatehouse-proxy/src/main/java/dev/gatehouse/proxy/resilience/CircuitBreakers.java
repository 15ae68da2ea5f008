package dev.gatehouse.proxy.resilience;

import dev.gatehouse.routing.balance.Cluster;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link ClusterBreaker} of every cluster by name, shared by all event loops of a server. A request looks its
 * cluster's up once, when it picks a backend; the map only grows by the clusters a config ever named (a reload that
 * removes a cluster leaves its few counters, which requests still in flight on it release).
 */
public final class CircuitBreakers {
    private final ConcurrentHashMap<String, ClusterBreaker> byCluster = new ConcurrentHashMap<>();

    public ClusterBreaker of(Cluster cluster) {
        ClusterBreaker b = byCluster.get(cluster.name());
        return b != null ? b : byCluster.computeIfAbsent(cluster.name(), ClusterBreaker::new);
    }

    /** @return the breaker of the cluster named {@code name}, or null before its first request (admin, tests) */
    public ClusterBreaker find(String name) {
        return byCluster.get(name);
    }
}
