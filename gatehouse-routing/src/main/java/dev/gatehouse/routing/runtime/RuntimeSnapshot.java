package dev.gatehouse.routing.runtime;

import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.proxyprotocol.ProxyProtocolPolicy;
import dev.gatehouse.routing.route.L4PortRouter;
import dev.gatehouse.routing.tls.PortCertificates;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the data plane serves, compiled from a {@link Snapshot}: per bound port, a router with a host index
 * and precompiled matchers. Immutable once published.
 *
 * @param source the IR it was compiled from (for /config and explain)
 * @param httpRouters HTTP routers by port
 * @param clusters every cluster of the snapshot by name (TCP/TLS routes and mirrors resolve here)
 * @param certificates the SNI mapping of each HTTPS port, by port (new connections handshake with these;
 *                     open ones keep the context they started with)
 * @param l4Routers the router of each TCP and TLS passthrough port, by port
 * @param proxyProtocol the ports that read PROXY headers from trusted sources, by port
 */
public record RuntimeSnapshot(Snapshot source, Map<Integer, HttpPortRouter> httpRouters, Map<String, Cluster> clusters,
                              Map<Integer, PortCertificates> certificates, Map<Integer, L4PortRouter> l4Routers,
                              Map<Integer, ProxyProtocolPolicy> proxyProtocol) {
    public RuntimeSnapshot {
        httpRouters = Map.copyOf(httpRouters);
        clusters = Map.copyOf(clusters);
        certificates = Map.copyOf(certificates);
        l4Routers = Map.copyOf(l4Routers);
        proxyProtocol = Map.copyOf(proxyProtocol);
    }

    /** A snapshot without PROXY protocol. */
    public RuntimeSnapshot(Snapshot source, Map<Integer, HttpPortRouter> httpRouters, Map<String, Cluster> clusters,
                           Map<Integer, PortCertificates> certificates, Map<Integer, L4PortRouter> l4Routers) {
        this(source, httpRouters, clusters, certificates, l4Routers, Map.of());
    }

    /** A snapshot without TCP or TLS passthrough ports. */
    public RuntimeSnapshot(Snapshot source, Map<Integer, HttpPortRouter> httpRouters, Map<String, Cluster> clusters,
                           Map<Integer, PortCertificates> certificates) {
        this(source, httpRouters, clusters, certificates, Map.of());
    }

    /** A snapshot without HTTPS ports. */
    public RuntimeSnapshot(Snapshot source, Map<Integer, HttpPortRouter> httpRouters, Map<String, Cluster> clusters) {
        this(source, httpRouters, clusters, Map.of());
    }

    /** A snapshot without clusters (kept for callers written against the first contract). */
    public RuntimeSnapshot(Snapshot source, Map<Integer, HttpPortRouter> httpRouters) {
        this(source, httpRouters, Map.of());
    }

    public long generation() {
        return source.generation();
    }

    /** @return the router for a local port, or {@code null} when the port serves no HTTP */
    public HttpPortRouter httpRouter(int port) {
        return httpRouters.get(port);
    }

    /** @return the router of a TCP or TLS passthrough port, or {@code null} when the port serves HTTP */
    public L4PortRouter l4Router(int port) {
        return l4Routers.get(port);
    }

    /** @return how a local port reads PROXY headers, or {@code null} when it reads none */
    public ProxyProtocolPolicy proxyProtocol(int port) {
        return proxyProtocol.get(port);
    }

    /** @return the certificates of a local port, or {@code null} when the port does not terminate TLS */
    public PortCertificates certificates(int port) {
        return certificates.get(port);
    }

    /** "gateway namespace/name/listener" to why its certificate cannot be served, over every port. */
    public Map<String, String> certificateFailures() {
        Map<String, String> out = new TreeMap<>();
        certificates.values().forEach(c -> out.putAll(c.failures()));
        return out;
    }

    /** @return the cluster named "namespace/service:port", or {@code null} */
    public Cluster cluster(String name) {
        return clusters.get(name);
    }

    /** Every router's {@link HttpPortRouter#describe()}, by port. */
    public String describe() {
        StringBuilder sb = new StringBuilder("generation ").append(generation()).append('\n');
        new TreeMap<>(httpRouters).forEach((port, router) -> sb.append(router.describe()));
        return sb.toString();
    }

    public static RuntimeSnapshot empty() {
        return new RuntimeSnapshot(Snapshot.empty(), Map.of(), Map.of());
    }
}
