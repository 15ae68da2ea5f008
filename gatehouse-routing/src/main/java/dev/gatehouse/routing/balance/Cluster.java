package dev.gatehouse.routing.balance;

import dev.gatehouse.routing.tls.UpstreamTls;

import java.net.InetSocketAddress;
import java.util.List;

/** The ready endpoints of one Service port, and how to pick one. */
public interface Cluster {
    /** "namespace/service:port" */
    String name();

    /** Resolved addresses (IP literals), never names to resolve on an event loop. */
    List<InetSocketAddress> endpoints();

    /**
     * Picks an endpoint; called on the request's event loop, lock-free.
     *
     * @return an endpoint, or {@code null} when there is none (503)
     */
    InetSocketAddress pick();

    /**
     * Passive health: a request to {@code endpoint} (a value {@link #pick()} returned) failed to connect, or its
     * connection broke before the response head. Called on an event loop, on the failure path only.
     */
    default void reportFailure(InetSocketAddress endpoint, String reason) {
    }

    /** TLS to the endpoints (a BackendTLSPolicy), or {@code null} for cleartext. */
    default UpstreamTls tls() {
        return null;
    }
}
