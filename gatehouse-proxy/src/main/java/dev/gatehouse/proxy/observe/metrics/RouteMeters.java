package dev.gatehouse.proxy.observe.metrics;

import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.filter.AuthOutcome;
import dev.gatehouse.routing.filter.RateLimitOutcome;
import dev.gatehouse.proxy.observe.MirrorResult;
import dev.gatehouse.routing.route.Backend;
import io.micrometer.core.instrument.Counter;

/**
 * The meters of one compiled route, bound when its snapshot is applied: requests by backend and status
 * class as a 2-D array (backendRef position, then 1xx..5xx), so recording is array indexing; mirror copies
 * likewise by the position of their cluster among the rule's RequestMirror clusters, then result.
 */
final class RouteMeters {
    /** Backend slots past the route's backendRefs: none picked, invalid reference. */
    static final int NO_BACKEND = 0;
    static final int INVALID_BACKEND = 1;
    private static final int EXTRA = 2;

    private final Backend[] backends;
    /** [EXTRA + backend index][status class 0..4] */
    private final Counter[][] requests;
    private final LatencyHistogram total;
    private final LatencyHistogram upstream;
    private final LatencyHistogram gateway;
    private final Counter requestBytes;
    private final Counter responseBytes;
    private final DecisionCounters decisions;
    /** The distinct clusters the rule's RequestMirror filters (rule and backendRef level) copy to. */
    private final Cluster[] mirrors;
    /** [mirror index][MirrorResult ordinal] */
    private final Counter[][] mirrorCopies;

    // what a later bind reuses when the route keeps its labels (GatewayMetrics#routeMeters)
    Counter[][] requestCounters() {
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

    Counter requestBytes() {
        return requestBytes;
    }

    Counter responseBytes() {
        return responseBytes;
    }

    Counter[][] mirrorCounters() {
        return mirrorCopies;
    }

    RouteMeters(Backend[] backends, Counter[][] requests, LatencyHistogram total, LatencyHistogram upstream,
                LatencyHistogram gateway,
                Counter requestBytes, Counter responseBytes, DecisionCounters decisions,
                Cluster[] mirrors, Counter[][] mirrorCopies) {
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
                mirrorCopies[i][result.ordinal()].increment();
                return;
            }
        }
    }

    void record(Backend backend, int status, long totalNanos, long upstreamNanos, long gatewayNanos,
                long inBytes, long outBytes, AuthOutcome authOutcome, RateLimitOutcome rateLimitOutcome) {
        requests[slot(backend)][statusClass(status)].increment();
        total.record(totalNanos);
        if (upstreamNanos > 0) {
            upstream.record(upstreamNanos);
        }
        gateway.record(gatewayNanos);
        if (inBytes > 0) {
            requestBytes.increment(inBytes);
        }
        if (outBytes > 0) {
            responseBytes.increment(outBytes);
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
