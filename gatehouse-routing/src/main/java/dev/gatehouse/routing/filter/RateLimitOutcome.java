package dev.gatehouse.routing.filter;

/**
 * What a rate-limit filter decided, recorded through {@link HttpExchange#recordRateLimit}; a closed set
 * for the same reason as {@link AuthOutcome}.
 */
public enum RateLimitOutcome {
    /** under the limit */
    ALLOWED,
    /** over the limit (429) */
    LIMITED,
    /** the limiter could not decide (store unreachable) */
    ERROR;

    /** The metric label, lower case. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
