package dev.gatehouse.routing.filter;

/**
 * What an authentication/authorization filter decided, recorded through {@link HttpExchange#recordAuth}.
 * A closed set so that {@code gatehouse_auth_outcomes_total{route,outcome}} stays bounded and its
 * counters can be bound per route when the snapshot is applied.
 */
public enum AuthOutcome {
    /** credentials present and accepted */
    ALLOWED,
    /** no or invalid credentials (401) */
    UNAUTHENTICATED,
    /** valid credentials, not permitted (403) */
    DENIED,
    /** the check itself failed (key fetch, timeout) */
    ERROR;

    /** The metric label, lower case. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
