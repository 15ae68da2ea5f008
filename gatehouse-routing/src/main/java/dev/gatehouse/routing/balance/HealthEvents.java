package dev.gatehouse.routing.balance;

/**
 * Health changes worth counting (the proxy's metrics implement it). Called by the thread whose compare-and-set made
 * the change (an event loop or an admin thread), at most once per change: must be quick and never block.
 */
public interface HealthEvents {
    HealthEvents NONE = new HealthEvents() {
    };

    /**
     * Outlier detection of {@code cluster} ejected an endpoint.
     *
     * @param reason consecutive_5xx, consecutive_gateway_errors or consecutive_local_origin_failures
     */
    default void ejected(String cluster, String reason) {
    }

    /** An endpoint's active verdict changed, or an ejection ended: {@code to} is healthy, unhealthy, unknown or returned. */
    default void transition(String to) {
    }
}
