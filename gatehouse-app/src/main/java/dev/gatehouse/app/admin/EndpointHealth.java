package dev.gatehouse.app.admin;

import java.time.Instant;

/**
 * What the admin API knows about one endpoint's health.
 *
 * @param state UNKNOWN until a prober has an opinion
 * @param lastError the last probe or connect failure, or {@code null}
 * @param since when the endpoint entered {@code state}, or {@code null} when unknown
 */
public record EndpointHealth(State state, String lastError, Instant since) {
    public enum State { UNKNOWN, HEALTHY, UNHEALTHY }

    public static final EndpointHealth UNKNOWN = new EndpointHealth(State.UNKNOWN, null, null);
}
