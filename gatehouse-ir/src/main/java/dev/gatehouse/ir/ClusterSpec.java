package dev.gatehouse.ir;

import java.util.List;

/**
 * A set of endpoints serving one Service port.
 *
 * @param name "namespace/service:port", unique in a snapshot
 * @param endpoints ready endpoints, sorted by address then port
 * @param loadBalancer how to pick among them
 * @param tls TLS to the endpoints (a BackendTLSPolicy), or {@code null} for cleartext
 */
public record ClusterSpec(String name, List<EndpointSpec> endpoints, LoadBalancerType loadBalancer, UpstreamTlsSpec tls) {
    public ClusterSpec {
        endpoints = List.copyOf(endpoints);
    }

    public ClusterSpec(String name, List<EndpointSpec> endpoints, LoadBalancerType loadBalancer) {
        this(name, endpoints, loadBalancer, null);
    }

    public ClusterSpec withTls(UpstreamTlsSpec spec) {
        return new ClusterSpec(name, endpoints, loadBalancer, spec);
    }

    public enum LoadBalancerType { ROUND_ROBIN }

    /** An IP literal (never a name to resolve) and port. */
    public record EndpointSpec(String address, int port) { }
}
