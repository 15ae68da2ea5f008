package dev.gatehouse.routing.balance;

import dev.gatehouse.ir.BackendProtocol;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.routing.tls.UpstreamTls;

import java.net.InetSocketAddress;
import java.util.List;

/** The ready endpoints of one Service port, and how to pick one. */
public interface Cluster {
    /** "namespace/service:port" */
    String name();

    /** How the data plane speaks to the endpoints. */
    default BackendProtocol protocol() {
        return BackendProtocol.HTTP_1_1;
    }

    /**
     * The balancing algorithm, as /backends and explain show it: "RoundRobin", "Random", "LeastRequest",
     * "ConsistentHash(Headers x-user, Maglev 65537)".
     */
    default String algorithm() {
        return "RoundRobin";
    }

    /**
     * The IR this was compiled from (its {@link ClusterSpec#traffic()} carries the timeouts and circuit breaker the
     * proxy applies), or {@code null} for a cluster built without one (tests): the gateway's defaults then.
     */
    default ClusterSpec spec() {
        return null;
    }

    /** Resolved addresses (IP literals), never names to resolve on an event loop. */
    List<InetSocketAddress> endpoints();

    /**
     * Picks an endpoint; called on the request's event loop, lock-free.
     *
     * @return an endpoint, or {@code null} when there is none (503)
     */
    InetSocketAddress pick();

    /**
     * Picks an endpoint for one request; the algorithms that hash (or keep sessions, or avoid a failed endpoint)
     * read {@code ctx}. Called on the request's event loop, lock-free; a request that got an endpoint from here
     * ends with {@link #requestFinished}.
     *
     * @return an endpoint, or {@code null} when there is none (503)
     */
    default InetSocketAddress pick(PickContext ctx) {
        return pick();
    }

    /**
     * A request that {@link #pick(PickContext)} sent to {@code endpoint} ended (answered, failed or aborted), on the
     * same event loop as its pick: least-request and the circuit breaker count what is in flight.
     */
    default void requestFinished(InetSocketAddress endpoint) {
    }

    /**
     * Passive health (outlier detection): {@code endpoint} answered with {@code status}. Called on an event loop
     * for every response head, so it must be cheap.
     */
    default void reportResponse(InetSocketAddress endpoint, int status) {
    }

    /**
     * Passive health: a request to {@code endpoint} (a value {@link #pick()} returned) failed to connect, or its
     * connection broke before the response head. Called on an event loop, on the failure path only.
     */
    default void reportFailure(InetSocketAddress endpoint, String reason) {
    }

    /** The health entry of one of {@link #endpoints()} (explain, admin), or {@code null} when the cluster keeps none. */
    default EndpointHealth healthOf(InetSocketAddress endpoint) {
        return null;
    }

    /** Whether a request was ever routed to this cluster (the health checker probes the others less often). */
    default boolean routedTo() {
        return false;
    }

    /** Records that a request was routed here (every endpoint's health entry learns it); also carries it on reload. */
    default void markRoutedTo() {
    }

    /** TLS to the endpoints (a BackendTLSPolicy), or {@code null} for cleartext. */
    default UpstreamTls tls() {
        return null;
    }
}
