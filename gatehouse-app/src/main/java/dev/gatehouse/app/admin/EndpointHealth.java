package dev.gatehouse.app.admin;

import java.time.Instant;

/**
 * What the admin API knows about one endpoint's health.
 *
 * @param state the active verdict: UNKNOWN until a prober has an opinion
 * @param lastError the last probe or connect failure, or {@code null}
 * @param since when the endpoint entered {@code state}, or {@code null} when unknown
 * @param check the active check probing it ("HTTP GET /healthz", "TCP", "GRPC service x over TLS"), or {@code null}
 * @param passive outlier detection's view (passive health), or {@code null} when it never ejected the endpoint
 */
public record EndpointHealth(State state, String lastError, Instant since, String check, Ejection passive) {
    public enum State { UNKNOWN, HEALTHY, UNHEALTHY }

    public static final EndpointHealth UNKNOWN = new EndpointHealth(State.UNKNOWN, null, null);

    public EndpointHealth(State state, String lastError, Instant since) {
        this(state, lastError, since, null, null);
    }

    /**
     * @param ejected true while outlier detection keeps the endpoint out of rotation
     * @param reason why it was last ejected ("5 consecutive 5xx, last: 500")
     * @param since when the last ejection started
     * @param remainingMillis ejection time left (0 when not ejected)
     * @param ejections ejections so far (each lasts baseEjectionTime × a multiplier that grows with them)
     */
    public record Ejection(boolean ejected, String reason, Instant since, long remainingMillis, long ejections) { }

    /** Neither UNHEALTHY nor ejected: the balancers pick it. */
    public boolean routable() {
        return state != State.UNHEALTHY && (passive == null || !passive.ejected());
    }
}
