package dev.gatehouse.proxy.resilience;

import dev.gatehouse.ir.CircuitBreakerSpec;

import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The circuit breaker of one cluster (by name, so its counts survive a reload that changes the cluster's endpoints
 * while requests and connections are open): what is open now, across all event loops. The limits are read from the
 * {@link CircuitBreakerSpec} the caller passes, so a reload that changes them applies to the next request.
 *
 * <p>Each {@code try*} takes a slot or refuses (the caller answers 503 naming the limit); every slot taken is given
 * back exactly once with the matching {@code release*}. Connections are counted per cluster and per endpoint on
 * the connect path only; requests, pending connects and retries are one compare-and-set each.
 */
public final class ClusterBreaker {
    public static final String MAX_CONNECTIONS = "max-connections";
    public static final String MAX_ENDPOINT_CONNECTIONS = "max-endpoint-connections";
    public static final String MAX_PENDING_REQUESTS = "max-pending-requests";
    public static final String MAX_PARALLEL_REQUESTS = "max-parallel-requests";
    public static final String MAX_PARALLEL_RETRIES = "max-parallel-retries";
    public static final String RETRY_BUDGET = "retry-budget";

    /** Envoy's retry budget default when only a percent is given. */
    static final int DEFAULT_MIN_RETRY_CONCURRENCY = 3;

    private final String cluster;
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final ConcurrentHashMap<InetSocketAddress, Long> endpointConnections = new ConcurrentHashMap<>();

    ClusterBreaker(String cluster) {
        this.cluster = cluster;
    }

    public String cluster() {
        return cluster;
    }

    public boolean tryRequest(CircuitBreakerSpec spec) {
        return tryTake(requests, limit(spec == null ? null : spec.maxParallelRequests()));
    }

    public void releaseRequest() {
        requests.decrementAndGet();
    }

    public boolean tryPending(CircuitBreakerSpec spec) {
        return tryTake(pending, limit(spec == null ? null : spec.maxPendingRequests()));
    }

    public void releasePending() {
        pending.decrementAndGet();
    }

    /**
     * A retry may start: with a retry budget, while retries in flight stay under {@code percent} of the requests in
     * flight (at least {@code minRetryConcurrency}); without one, under {@code maxParallelRetries}.
     *
     * @return null when the retry may go (a slot is taken), else the limit that refused it
     */
    public String tryRetry(CircuitBreakerSpec spec) {
        if (spec != null && spec.retryBudgetPercent() != null) {
            int min = spec.retryBudgetMinConcurrency() == null ? DEFAULT_MIN_RETRY_CONCURRENCY
                    : spec.retryBudgetMinConcurrency();
            long budget = Math.max(min, (long) (spec.retryBudgetPercent() * requests.get()));
            return tryTake(retries, budget) ? null : RETRY_BUDGET;
        }
        return tryTake(retries, limit(spec == null ? null : spec.maxParallelRetries())) ? null : MAX_PARALLEL_RETRIES;
    }

    public void releaseRetry() {
        retries.decrementAndGet();
    }

    /**
     * A new connection to {@code endpoint} may open.
     *
     * @return null when it may (a slot is taken: {@link #releaseConnection} when it closes), else the limit
     */
    public String tryConnection(CircuitBreakerSpec spec, InetSocketAddress endpoint) {
        if (!tryTake(connections, limit(spec == null ? null : spec.maxConnections()))) {
            return MAX_CONNECTIONS;
        }
        long perEndpoint = limit(spec == null ? null : spec.perEndpointMaxConnections());
        boolean[] refused = new boolean[1];
        endpointConnections.compute(endpoint, (k, n) -> {
            long now = n == null ? 0 : n;
            if (now >= perEndpoint) {
                refused[0] = true;
                return n;
            }
            return now + 1;
        });
        if (refused[0]) {
            connections.decrementAndGet();
            return MAX_ENDPOINT_CONNECTIONS;
        }
        return null;
    }

    public void releaseConnection(InetSocketAddress endpoint) {
        connections.decrementAndGet();
        // an endpoint with no connection left leaves the map, so endpoint churn does not grow it
        endpointConnections.computeIfPresent(endpoint, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** @return requests in flight (tests, metrics) */
    public long requests() {
        return requests.get();
    }

    /** @return connects in progress (tests, metrics) */
    public long pending() {
        return pending.get();
    }

    /** @return retries in flight (tests, metrics) */
    public long retries() {
        return retries.get();
    }

    /** @return open connections counted against this cluster (tests, metrics) */
    public long connections() {
        return connections.get();
    }

    private static long limit(Long configured) {
        return configured == null ? CircuitBreakerSpec.DEFAULT_LIMIT : configured;
    }

    private static boolean tryTake(AtomicLong counter, long limit) {
        while (true) {
            long n = counter.get();
            if (n >= limit) {
                return false;
            }
            if (counter.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }
}
