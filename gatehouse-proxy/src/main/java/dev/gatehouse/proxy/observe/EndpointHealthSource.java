package dev.gatehouse.proxy.observe;

import java.net.InetSocketAddress;

/**
 * Where {@code gatehouse_backend_endpoint_healthy} reads an endpoint's health: the health checker's last
 * verdict. Called on the scraping thread; must answer from memory, never probe.
 */
@FunctionalInterface
public interface EndpointHealthSource {
    /** Until a health checker is wired in: an endpoint the EndpointSlice calls ready counts as healthy. */
    EndpointHealthSource READY = (cluster, endpoint) -> true;

    /**
     * @param cluster "namespace/service:port"
     * @return false only when the checker marked the endpoint unhealthy
     */
    boolean healthy(String cluster, InetSocketAddress endpoint);
}
