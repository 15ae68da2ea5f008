package dev.gatehouse.proxy.observe.metrics;

import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.filter.AuthOutcome;
import dev.gatehouse.routing.filter.RateLimitOutcome;
import dev.gatehouse.proxy.observe.MirrorResult;
import dev.gatehouse.routing.route.Backend;

/**
 * The meters of one compiled route, bound when its snapshot is applied: requests by backend and status
 * class as a 2-D array (backendRef position, then 1xx..5xx), so recording is array indexing; mirror copies
 * likewise by the position of their cluster among the rule's RequestMirror clusters, then result. Nothing is
 * registered or allocated for counting until the route serves: its first request shows its histograms and byte
 * counters, and each requests counter (backend, status class) and mirror counter appears when it first counts.
 */
final class RouteMeters {
    /** Backend slots past the route's backendRefs: none picked, invalid reference. */
    static final int NO_BACKEND = 0;
    static final int INVALID_BACKEND = 1;
    private static final int EXTRA = 2;

    private final Backend[] backends;
    /** [EXTRA + backend index][status class 0..4] */
    private final LazyCounter[][] requests;
    private final LatencyHistogram total;
    private final LatencyHistogram upstream;
    private final LatencyHistogram gateway;
    private final LazyCounter requestBytes;
    private final LazyCounter responseBytes;
    private final DecisionCounters decisions;
    /** The distinct clusters the rule's RequestMirror filters (rule and backendRef level) copy to. */
    private final Cluster[] mirrors;
    /** [mirror index][MirrorResult ordinal] */
    private final LazyCounter[][] mirrorCopies;

    // what a later bind reuses when the route keeps its labels (GatewayMetrics#routeMeters)
    LazyCounter[][] requestCounters() {
        return requests;
    }

    LatencyHistogram total() {
        return total;
    }

    LatencyHistogram upstream() {
        return upstream;
    }

    LatencyHistogram gateway() {
        return gateway;
    }

    LazyCounter requestBytes() {
        return requestBytes;
    }

    LazyCounter responseBytes() {
        return responseBytes;
    }

    LazyCounter[][] mirrorCounters() {
        return mirrorCopies;
    }

    RouteMeters(Backend[] backends, LazyCounter[][] requests, LatencyHistogram total, LatencyHistogram upstream,
                LatencyHistogram gateway,
                LazyCounter requestBytes, LazyCounter responseBytes, DecisionCounters decisions,
                Cluster[] mirrors, LazyCounter[][] mirrorCopies) {
        this.backends = backends;
        this.requests = requests;
        this.total = total;
        this.upstream = upstream;
        this.gateway = gateway;
        this.requestBytes = requestBytes;
        this.responseBytes = responseBytes;
        this.decisions = decisions;
        this.mirrors = mirrors;
        this.mirrorCopies = mirrorCopies;
    }

    /** Identity scan, as for backends: a rule mirrors to one or two clusters. A cluster not bound is ignored. */
    void recordMirror(Cluster cluster, MirrorResult result) {
        for (int i = 0; i < mirrors.length; i++) {
            if (mirrors[i] == cluster) {
                for (LazyCounter c : mirrorCopies[i]) {
                    c.touch(); // a mirror that copied shows each result, as a dashboard's ratio wants
                }
                mirrorCopies[i][result.ordinal()].increment();
                return;
            }
        }
    }

    void record(Backend backend, int status, long totalNanos, long upstreamNanos, long gatewayNanos,
                long inBytes, long outBytes, AuthOutcome authOutcome, RateLimitOutcome rateLimitOutcome) {
        requests[slot(backend)][statusClass(status)].increment();
        total.record(totalNanos);
        // the series a served route always had, at 0 until counted: only the first request registers them
        if (upstreamNanos > 0) {
            upstream.record(upstreamNanos);
        } else {
            upstream.touch();
        }
        gateway.record(gatewayNanos);
        if (inBytes > 0) {
            requestBytes.increment(inBytes);
        } else {
            requestBytes.touch();
        }
        if (outBytes > 0) {
            responseBytes.increment(outBytes);
        } else {
            responseBytes.touch();
        }
        decisions.record(authOutcome, rateLimitOutcome);
    }

    /** Identity scan: a rule has a handful of backendRefs at most. */
    private int slot(Backend backend) {
        if (backend == null) {
            return NO_BACKEND;
        }
        if (backend.cluster() == null) {
            return INVALID_BACKEND;
        }
        for (int i = 0; i < backends.length; i++) {
            if (backends[i] == backend) {
                return EXTRA + i;
            }
        }
        return NO_BACKEND;
    }

    static int statusClass(int status) {
        int c = status / 100 - 1;
        return c < 0 ? 0 : Math.min(c, 4);
    }

    static String statusClassLabel(int index) {
        return (index + 1) + "xx";
    }

    static int extraSlots() {
        return EXTRA;
    }
}
