package dev.gatehouse.routing.balance;

import dev.gatehouse.ir.BackendProtocol;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.routing.tls.UpstreamTls;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
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
 * Envoy enters panic below 50% healthy by default; we only at 0%, because with two endpoints and one dead a 50%
 * threshold would keep sending half of the traffic to the dead one.
 */
public final class RoundRobinCluster implements Cluster {
    private final ClusterSpec spec;
    private final List<InetSocketAddress> endpoints;
    private final InetSocketAddress[] ring;
    /** health[i] is ring[i]'s; entries of the registry the cluster was compiled against. */
    private final EndpointHealth[] health;
    private final AtomicInteger next = new AtomicInteger();
    private final UpstreamTls tls;

    private RoundRobinCluster(ClusterSpec spec, List<InetSocketAddress> endpoints, EndpointHealthRegistry registry,
                              UpstreamTls tls) {
        this.spec = spec;
        this.tls = tls;
        this.endpoints = List.copyOf(endpoints);
        this.ring = endpoints.toArray(new InetSocketAddress[0]);
        this.health = new EndpointHealth[ring.length];
        for (int i = 0; i < ring.length; i++) {
            health[i] = registry.endpoint(ring[i], spec.name());
        }
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
        List<InetSocketAddress> resolved = new ArrayList<>(spec.endpoints().size());
        for (ClusterSpec.EndpointSpec endpoint : spec.endpoints()) {
            resolved.add(literal(spec.name(), endpoint));
        }
        return new RoundRobinCluster(spec, resolved, registry, tls);
    }

    /**
     * @return true when every endpoint's health entry is the one {@code registry} holds now, so a new snapshot may
     *         reuse this instance (false after an address left the registry and came back, or for another registry)
     */
    public boolean boundTo(EndpointHealthRegistry registry) {
        for (EndpointHealth h : health) {
            if (registry.find(h.address()) != h) {
                return false;
            }
        }
        return true;
    }

    private static InetSocketAddress literal(String cluster, ClusterSpec.EndpointSpec endpoint) {
        String address = endpoint.address();
        byte[] bytes = address == null ? null : NetUtil.createByteArrayFromIpAddressString(address);
        if (bytes == null) {
            throw new IllegalArgumentException("cluster " + cluster + ": endpoint address '" + address
                    + "' is not an IP literal");
        }
        if (endpoint.port() < 1 || endpoint.port() > 65535) {
            throw new IllegalArgumentException("cluster " + cluster + ": endpoint " + address + " has port "
                    + endpoint.port() + " outside 1..65535");
        }
        try {
            // getByAddress never consults a resolver: the bytes are the address.
            return new InetSocketAddress(InetAddress.getByAddress(bytes), endpoint.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cluster " + cluster + ": bad endpoint address " + address, e);
        }
    }

    /** The IR this was compiled from; equal specs let a new snapshot reuse this instance. */
    public ClusterSpec spec() {
        return spec;
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public BackendProtocol protocol() {
        return spec.backendProtocol();
    }

    @Override
    public List<InetSocketAddress> endpoints() {
        return endpoints;
    }

    /** Each endpoint's health entry, in {@link #endpoints()} order. */
    public List<EndpointHealth> health() {
        return List.of(health);
    }

    @Override
    public InetSocketAddress pick() {
        InetSocketAddress[] r = ring;
        int n = r.length;
        if (n == 0) {
            return null;
        }
        if (n == 1) {
            return r[0]; // healthy or not: with one endpoint, panic always applies
        }
        int first = Math.floorMod(next.getAndIncrement(), n);
        if (health[first].routable()) {
            return r[first];
        }
        for (int attempt = 1; attempt < n; attempt++) {
            int i = Math.floorMod(next.getAndIncrement(), n);
            if (health[i].routable()) {
                return r[i];
            }
        }
        // panic: every endpoint is UNHEALTHY. One more draw, so that successive panic picks (n + 1 draws each)
        // rotate through the ring instead of landing on the same slot every time
        return r[Math.floorMod(next.getAndIncrement(), n)];
    }

    /** A retry ({@link PickContext#avoid()}) takes the next endpoint in turn when the pick lands on the failed one. */
    @Override
    public InetSocketAddress pick(PickContext ctx) {
        InetSocketAddress picked = pick();
        InetSocketAddress avoid = ctx.avoid();
        return avoid != null && ring.length > 1 && avoid.equals(picked) ? pick() : picked;
    }

    @Override
    public void reportFailure(InetSocketAddress endpoint, String reason) {
        // failure path only: a linear scan of a few entries beats a hash lookup and needs no map
        for (int i = 0; i < ring.length; i++) {
            if (ring[i].equals(endpoint)) {
                health[i].passiveFailure(reason);
                return;
            }
        }
    }

    @Override
    public void reportResponse(InetSocketAddress endpoint, int status) {
        for (int i = 0; i < ring.length; i++) {
            if (ring[i].equals(endpoint)) {
                health[i].passiveResponse(status);
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "RoundRobinCluster[" + spec.name() + " " + endpoints + "]";
    }

    @Override
    public UpstreamTls tls() {
        return tls;
    }
}
