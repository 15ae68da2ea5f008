package dev.gatehouse.ir;

import java.util.List;

/**
 * A set of endpoints serving one Service port.
 *
 * @param name "namespace/service:port", unique in a snapshot
 * @param endpoints ready endpoints, sorted by address then port
 * @param loadBalancer how to pick among them
 * @param protocol how to speak to them; {@code null} for HTTP/1.1, the default (so printed snapshots name it only
 *                 when it differs)
 * @param tls TLS to the endpoints (a BackendTLSPolicy), or {@code null} for cleartext
 * @param traffic the BackendTrafficPolicy that applies (its algorithm, checks, limits), or {@code null} for the
 *                defaults; {@code loadBalancer} stays ROUND_ROBIN and {@code traffic.loadBalancer()} says otherwise
 */
public record ClusterSpec(String name, List<EndpointSpec> endpoints, LoadBalancerType loadBalancer,
                          BackendProtocol protocol, UpstreamTlsSpec tls, BackendTrafficSpec traffic) {
    public ClusterSpec {
        endpoints = List.copyOf(endpoints);
        if (protocol == BackendProtocol.HTTP_1_1) {
            protocol = null;
        }
    }

    public ClusterSpec(String name, List<EndpointSpec> endpoints, LoadBalancerType loadBalancer,
                       BackendProtocol protocol, UpstreamTlsSpec tls) {
        this(name, endpoints, loadBalancer, protocol, tls, null);
    }

    /** A cleartext HTTP/1.1 cluster. */
    public ClusterSpec(String name, List<EndpointSpec> endpoints, LoadBalancerType loadBalancer) {
        this(name, endpoints, loadBalancer, null, null);
    }

    /** @return the protocol, never null */
    public BackendProtocol backendProtocol() {
        return protocol == null ? BackendProtocol.HTTP_1_1 : protocol;
    }

    public ClusterSpec withTls(UpstreamTlsSpec spec) {
        return new ClusterSpec(name, endpoints, loadBalancer, protocol, spec, traffic);
    }

    public ClusterSpec withTraffic(BackendTrafficSpec spec) {
        return new ClusterSpec(name, endpoints, loadBalancer, protocol, tls, spec);
    }

    public enum LoadBalancerType { ROUND_ROBIN }

    /** An IP literal (never a name to resolve) and port. */
    public record EndpointSpec(String address, int port) { }
}
