package dev.gatehouse.routing.balance;

import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.routing.tls.UpstreamTls;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cluster that hands out its endpoints in turn, skipping UNHEALTHY ones. Lock-free and allocation-free: one
 * shared counter (see {@link SmoothWeightedRoundRobin} for why not per-loop state) and, per endpoint, the
 * {@link EndpointHealth} resolved at compile time, read with one volatile load.
 *
 * <p>Skipping draws the next counter value rather than scanning to the next slot, so the healthy endpoints keep
 * exact equal shares (scanning would hand the share of a dead endpoint to its neighbour). When every endpoint is
 * UNHEALTHY the pick falls back to plain round robin over all of them ("panic", as Envoy does): the verdicts may be
 * stale or the checks wrong, and trying a possibly-dead endpoint costs one 502 where refusing costs every request.
 * Envoy enters panic below 50% healthy by default; we only at 0% unless {@code panicThreshold} says otherwise,
 * because with two endpoints and one dead a 50% threshold would keep sending half of the traffic to the dead one.
 */
public final class RoundRobinCluster extends BalancedCluster {
    private final AtomicInteger next = new AtomicInteger();

    RoundRobinCluster(ClusterSpec spec, List<InetSocketAddress> endpoints, EndpointHealthRegistry registry,
                      UpstreamTls tls) {
        super(spec, endpoints, registry, tls);
    }

    /**
     * Resolves the endpoint literals without any name lookup.
     *
     * @throws IllegalArgumentException naming the cluster when an address is not an IP literal or a port is out of range
     */
    public static RoundRobinCluster compile(ClusterSpec spec) {
        // a private registry: nothing probes it, only this cluster's passive reports steer it
        return compile(spec, new EndpointHealthRegistry(HealthPolicy.passiveOnly()));
    }

    /** Compiles against the server's long-lived health registry, resolving each endpoint's entry now. */
    public static RoundRobinCluster compile(ClusterSpec spec, EndpointHealthRegistry registry) {
        return compile(spec, registry, spec.tls() == null ? null : UpstreamTls.compile(spec.tls()));
    }

    /** @param tls the compiled {@code spec.tls()} (shared with the other clusters of the same TLS identity) */
    public static RoundRobinCluster compile(ClusterSpec spec, EndpointHealthRegistry registry, UpstreamTls tls) {
        return new RoundRobinCluster(spec, resolve(spec), registry, tls);
    }

    @Override
    public String algorithm() {
        return "RoundRobin";
    }

    @Override
    int choose(PickContext ctx) {
        int n = ring.length;
        boolean panic = panicking();
        InetSocketAddress avoid = ctx.avoid();
        for (int attempt = 0; attempt < n; attempt++) {
            int i = Math.floorMod(next.getAndIncrement(), n);
            if (eligible(i, panic, avoid)) {
                return i;
            }
        }
        // nothing eligible in n draws. One more draw, so that successive panic picks (n + 1 draws each) rotate
        // through the ring instead of landing on the same slot every time
        return fallback(Math.floorMod(next.getAndIncrement(), n), avoid);
    }
}
