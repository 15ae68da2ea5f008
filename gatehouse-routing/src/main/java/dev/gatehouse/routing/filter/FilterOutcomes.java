package dev.gatehouse.routing.filter;

/**
 * Where {@link HttpExchange#recordAuth} and {@link HttpExchange#recordRateLimit} go: the proxy's per-request
 * log when observability is on, nowhere otherwise. Called on the request's event loop.
 */
public interface FilterOutcomes {
    FilterOutcomes NONE = new FilterOutcomes() {
        @Override
        public void auth(AuthOutcome outcome) {
        }

        @Override
        public void rateLimit(RateLimitOutcome outcome) {
        }
    };

    void auth(AuthOutcome outcome);

    void rateLimit(RateLimitOutcome outcome);

    /** The consumer a SecurityPolicy authenticated, for the access log's {@code consumer} field. */
    default void consumer(String id) {
    }
}
