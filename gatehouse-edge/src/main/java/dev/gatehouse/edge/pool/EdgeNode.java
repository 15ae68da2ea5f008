package dev.gatehouse.edge.pool;

import java.util.Objects;

/**
 * One node of the cluster, as the edge connects to it.
 *
 * @param name what the admin pages and metrics call it (the Kubernetes Node's name, or its address)
 * @param address an IP address or a host name
 */
public record EdgeNode(String name, String address) {
    public EdgeNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
    }
}
