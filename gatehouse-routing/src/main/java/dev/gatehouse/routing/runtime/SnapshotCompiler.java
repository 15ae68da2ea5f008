package dev.gatehouse.routing.runtime;

import dev.gatehouse.routing.ratelimit.RateLimiters;

import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.balance.EndpointHealthRegistry;
import dev.gatehouse.routing.balance.HealthPolicy;
import dev.gatehouse.routing.balance.BalancedCluster;
import dev.gatehouse.routing.proxyprotocol.ProxyProtocolPolicy;
import dev.gatehouse.routing.route.HostIndexedPortRouter;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.route.L4PortRouter;
import dev.gatehouse.routing.route.RouteMemo;
import dev.gatehouse.ir.UpstreamTlsSpec;
import dev.gatehouse.routing.tls.PortCertificates;
import dev.gatehouse.routing.tls.UpstreamTls;
import io.netty.handler.ssl.SslContext;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * IR in, runtime tables out: host indexes, path matchers, regexes, filters and balancers are all built
 * here, once per config, off the event loops. Throws {@link IllegalArgumentException} naming the
 * offending route when the IR cannot be compiled (the caller keeps the previous snapshot).
 *
 * <p>Carried over from the previous snapshot: a cluster whose {@link ClusterSpec} is unchanged keeps its
 * {@link Cluster} instance, so its balancer's state (round-robin position, in-flight counts, Maglev table) and its identity (which per-loop connection pools
 * may key on) survive a reload. Endpoint health lives in the {@link EndpointHealthRegistry} passed in, keyed by
 * address, so it survives even when the cluster is rebuilt. A rule this compiler compiled for the previous snapshot
 * (the same IR instance, as an EndpointSlice-only change keeps them), on clusters that are the same instances, keeps
 * its {@code CompiledRoute} ({@link RouteMemo}), so such a reload compiles the rules of the changed clusters only. Per-endpoint state (health, pools) is keyed by address.
 */
public final class SnapshotCompiler {
    private final EndpointHealthRegistry health;
    private final RateLimiters rateLimiters;
    /** What the last compile made of each rule, and the snapshot it made: see {@link RouteMemo}. */
    private RouteMemo memo = new RouteMemo();
    private RuntimeSnapshot memoFor;
    private int lastReused;

    /** Clusters get private health entries nothing probes (explain, tests). */
    public SnapshotCompiler() {
        this(null, new RateLimiters());
    }

    /** Clusters consult {@code health}, the server's long-lived registry, so checks steer every snapshot. */
    public SnapshotCompiler(EndpointHealthRegistry health) {
        this(health, new RateLimiters());
    }

    /** ... and rate limits spend from {@code rateLimiters}, the server's, so buckets survive a reload. */
    public SnapshotCompiler(EndpointHealthRegistry health, RateLimiters rateLimiters) {
        this.health = health;
        this.rateLimiters = rateLimiters;
    }

    /**
     * @param previous the snapshot being replaced (long-lived state keyed by identity may be carried over), or null
     */
    public synchronized RuntimeSnapshot compile(Snapshot snapshot, RuntimeSnapshot previous) {
        Map<String, Cluster> clusters = compileClusters(snapshot, previous);
        // the rules compiled for the snapshot being replaced, when this compiler made it (else nothing to reuse)
        RouteMemo routes = previous != null && previous == memoFor ? memo.next() : new RouteMemo();
        Map<Integer, HttpPortRouter> routers = new HashMap<>();
        Map<Integer, L4PortRouter> l4Routers = new HashMap<>();
        Map<Integer, ProxyProtocolPolicy> proxyProtocol = new HashMap<>();
        for (PortSpec port : snapshot.ports()) {
            if (port.clientTraffic() != null && port.clientTraffic().proxyProtocol() != null) {
                proxyProtocol.put(port.port(), ProxyProtocolPolicy.compile(port.clientTraffic().proxyProtocol()));
            }
            if (routers.containsKey(port.port()) || l4Routers.containsKey(port.port())) {
                throw new IllegalArgumentException("port " + port.port() + " appears twice in the snapshot");
            }
            if (port.protocol() == Protocol.HTTP || port.protocol() == Protocol.HTTPS) {
                routers.put(port.port(), HostIndexedPortRouter.compile(port, clusters, rateLimiters, routes));
            } else if (port.protocol().isL4()) {
                l4Routers.put(port.port(), L4PortRouter.compile(port, clusters));
            }
        }
        RuntimeSnapshot compiled = new RuntimeSnapshot(snapshot, routers, clusters,
                compileCertificates(snapshot, previous), l4Routers, proxyProtocol);
        memo = routes;
        memoFor = compiled;
        lastReused = routes.reused();
        return compiled;
    }

    /** How many HTTP rules the last compile took from the one before (unchanged rules on unchanged clusters). */
    public synchronized int lastReused() {
        return lastReused;
    }

    /**
     * SslContexts are built here, on the control thread, never on an event loop. A certificate unchanged since
     * the previous snapshot keeps its context (and the provider's session cache); a changed Secret gets a new one
     * that only new connections use.
     */
    private static Map<Integer, PortCertificates> compileCertificates(Snapshot snapshot, RuntimeSnapshot previous) {
        Map<PortCertificates.ContextKey, SslContext> reuse = new HashMap<>();
        if (previous != null) {
            previous.certificates().values().forEach(c -> reuse.putAll(c.contexts()));
        }
        Map<Integer, PortCertificates> out = new HashMap<>();
        for (PortSpec port : snapshot.ports()) {
            if (port.protocol() == Protocol.HTTPS) {
                out.put(port.port(), PortCertificates.compile(port, reuse));
            }
        }
        return out;
    }

    private Map<String, Cluster> compileClusters(Snapshot snapshot, RuntimeSnapshot previous) {
        Map<String, Cluster> clusters = new HashMap<>();
        // one client SslContext per TLS identity, kept across snapshots while the identity is unchanged
        Map<UpstreamTlsSpec, UpstreamTls> tls = new HashMap<>();
        if (previous != null) {
            previous.clusters().values().stream().map(Cluster::tls).filter(Objects::nonNull)
                    .forEach(t -> tls.put(t.spec(), t));
        }
        for (ClusterSpec spec : snapshot.clusters()) {
            Cluster old = previous == null ? null : previous.cluster(spec.name());
            Cluster cluster = old instanceof BalancedCluster bc && bc.spec().equals(spec)
                    && (health == null || bc.boundTo(health))
                    ? old
                    // without the server's registry, each cluster keeps private health entries nothing probes
                    : BalancedCluster.compile(spec,
                            health == null ? new EndpointHealthRegistry(HealthPolicy.passiveOnly()) : health,
                            spec.tls() == null ? null : tls.computeIfAbsent(spec.tls(), UpstreamTls::compile));
            if (clusters.put(spec.name(), cluster) != null) {
                throw new IllegalArgumentException("cluster " + spec.name() + " appears twice in the snapshot");
            }
        }
        return clusters;
    }
}
