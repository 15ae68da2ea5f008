package dev.gatehouse.ir;

/**
 * {@code BackendTrafficPolicy.spec.circuitBreaker}: per cluster (and per endpoint for connections) limits; over one,
 * the request gets 503 with {@code x-gatehouse-overflow} naming it. Envoy Gateway's defaults are 1024 each; a
 * {@code null} field takes that default, {@code maxRequestsPerConnection} {@code null} is unlimited.
 *
 * @param retryBudgetPercent {@code retryBudget.percent} as a fraction of active requests (0..1), or {@code null}
 * @param retryBudgetMinConcurrency {@code retryBudget.minRetryConcurrency} (default 3)
 */
public record CircuitBreakerSpec(Long maxConnections, Long maxPendingRequests, Long maxParallelRequests,
                                 Long maxParallelRetries, Long maxRequestsPerConnection, Long perEndpointMaxConnections,
                                 Double retryBudgetPercent, Integer retryBudgetMinConcurrency) {
    public static final long DEFAULT_LIMIT = 1024;
}
