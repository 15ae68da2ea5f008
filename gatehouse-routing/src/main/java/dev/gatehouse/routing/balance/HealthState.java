package dev.gatehouse.routing.balance;

/** What the gateway believes about one endpoint. */
public enum HealthState {
    /**
     * No evidence either way (never probed, or a timed passive ejection just ended): routable, because an endpoint
     * the config lists as ready most likely is.
     */
    UNKNOWN,
    HEALTHY,
    /** Skipped by the balancer unless every endpoint of the cluster is unhealthy (panic). */
    UNHEALTHY
}
