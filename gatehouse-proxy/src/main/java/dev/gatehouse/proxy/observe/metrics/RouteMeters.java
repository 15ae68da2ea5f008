package dev.gatehouse.proxy.observe.metrics;

import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.filter.AuthOutcome;
import dev.gatehouse.routing.filter.RateLimitOutcome;
import dev.gatehouse.proxy.observe.MirrorResult;
import dev.gatehouse.routing.route.Backend;

import java.util.function.ObjIntConsumer;

/**
 * The meters of one compiled route, bound when its snapshot is applied. Its counts live in one
 * {@link RouteCells} (shared by every match of the rule), at fixed indexes: whether the stripe has served, the
 * two byte counts, requests by backend and status class as a 2-D block (backendRef position, then 1xx..5xx), the
 * three latency histograms, and mirror copies by the position of their cluster among the rule's RequestMirror
 * clusters, then result; so recording is a few adds into adjacent cells. The series those cells feed are
 * registered when they first count: a route's first request shows its histograms and byte counters, and each
 * requests counter (backend, status class) and mirror counter appears when it first counts.
 */
final class RouteMeters {
    /** Backend slots past the route's backendRefs: none picked, invalid reference. */
    static final int NO_BACKEND = 0;
    static final int INVALID_BACKEND = 1;
    private static final int EXTRA = 2;
    private static final int STATUS_CLASSES = 5;
    private static final int MIRROR_RESULTS = MirrorResult.values().length;
    /** The cells' layout: the stripe's requests (0 until its first), the byte counts, then the blocks. */
    private static final int SERVED = 0;
    private static final int REQUEST_BYTES = 1;
    private static final int RESPONSE_BYTES = 2;
    private static final int REQUESTS = 3;

    private final Backend[] backends;
    private final RouteCells cells;
    private final long[] bounds;
    /** The series of the request cells, [EXTRA + backend index][status class 0..4]. */
    private final CellCounter[][] requests;
    private final LatencyHistogram total;
    private final LatencyHistogram upstream;
    private final LatencyHistogram gateway;
    private final CellCounter requestBytes;
    private final CellCounter responseBytes;
    private final DecisionCounters decisions;
    /** The distinct clusters the rule's RequestMirror filters (rule and backendRef level) copy to. */
    private final Cluster[] mirrors;
    /** [mirror index][MirrorResult ordinal] */
    private final CellCounter[][] mirrorCopies;
    private final int totalAt;
    private final int upstreamAt;
    private final int gatewayAt;
    private final int mirrorsAt;

    /** The cells a route with these backend slots and mirrors needs. */
    static int width(int backends, int mirrors, long[] bounds) {
        return REQUESTS + (EXTRA + backends) * STATUS_CLASSES + 3 * LatencyHistogram.width(bounds)
                + mirrors * MIRROR_RESULTS;
    }

    /**
     * Meters over {@code cells}, which it makes the source of each series: a new route's. {@code requests} may
     * hold one row twice (the invalid slot of a route without invalid references counts as no backend).
     */
    static RouteMeters bound(Backend[] backends, long[] bounds, CellCounter[][] requests, LatencyHistogram total,
                             LatencyHistogram upstream, LatencyHistogram gateway, CellCounter requestBytes,
                             CellCounter responseBytes, DecisionCounters decisions, Cluster[] mirrors,
                             CellCounter[][] mirrorCopies) {
        RouteCells cells = new RouteCells(width(backends.length, mirrors.length, bounds));
        RouteMeters m = new RouteMeters(backends, cells, bounds, requests, total, upstream, gateway, requestBytes,
                responseBytes, decisions, mirrors, mirrorCopies);
        m.eachSeries((c, index) -> c.addSource(cells, index), (h, offset) -> h.addSource(cells, offset));
        return m;
    }

    /** The same meters and cells for another match of the rule, with its own backend instances. */
    RouteMeters forMatch(Backend[] matchBackends, DecisionCounters matchDecisions, Cluster[] matchMirrors) {
        return new RouteMeters(matchBackends, cells, bounds, requests, total, upstream, gateway, requestBytes,
                responseBytes, matchDecisions, matchMirrors, mirrorCopies);
    }

    private RouteMeters(Backend[] backends, RouteCells cells, long[] bounds, CellCounter[][] requests,
                        LatencyHistogram total, LatencyHistogram upstream, LatencyHistogram gateway,
                        CellCounter requestBytes, CellCounter responseBytes, DecisionCounters decisions,
                        Cluster[] mirrors, CellCounter[][] mirrorCopies) {
        this.backends = backends;
        this.cells = cells;
        this.bounds = bounds;
        this.requests = requests;
        this.total = total;
        this.upstream = upstream;
        this.gateway = gateway;
        this.requestBytes = requestBytes;
        this.responseBytes = responseBytes;
        this.decisions = decisions;
        this.mirrors = mirrors;
        this.mirrorCopies = mirrorCopies;
        int histogram = LatencyHistogram.width(bounds);
        this.totalAt = REQUESTS + requests.length * STATUS_CLASSES;
        this.upstreamAt = totalAt + histogram;
        this.gatewayAt = upstreamAt + histogram;
        this.mirrorsAt = gatewayAt + histogram;
    }

    /** What the cells feed: each counter with its index, each histogram with its block's. */
    private void eachSeries(ObjIntConsumer<CellCounter> counter, ObjIntConsumer<LatencyHistogram> histogram) {
        counter.accept(requestBytes, REQUEST_BYTES);
        counter.accept(responseBytes, RESPONSE_BYTES);
        for (int b = 0; b < requests.length; b++) {
            for (int s = 0; s < STATUS_CLASSES; s++) {
                if (requests[b][s] != null) {
                    counter.accept(requests[b][s], REQUESTS + b * STATUS_CLASSES + s);
                }
            }
        }
        histogram.accept(total, totalAt);
        histogram.accept(upstream, upstreamAt);
        histogram.accept(gateway, gatewayAt);
        for (int i = 0; i < mirrorCopies.length; i++) {
            for (int r = 0; r < MIRROR_RESULTS; r++) {
                counter.accept(mirrorCopies[i][r], mirrorsAt + i * MIRROR_RESULTS + r);
            }
        }
    }

    /**
     * The route's meter set is not bound any more: the series that stay (another route's set holds them) keep
     * what it counted. Control thread, at a bind.
     */
    void unbind() {
        eachSeries((c, index) -> c.fold(cells, index), (h, offset) -> h.fold(cells, offset));
    }

    /** Identity scan, as for backends: a rule mirrors to one or two clusters. A cluster not bound is ignored. */
    void recordMirror(Cluster cluster, MirrorResult result) {
        for (int i = 0; i < mirrors.length; i++) {
            if (mirrors[i] == cluster) {
                long[] c = cells.stripe();
                if (cells.incrementFirst(c, mirrorsAt + i * MIRROR_RESULTS + result.ordinal()) == 0) {
                    for (CellCounter m : mirrorCopies[i]) {
                        m.touch(); // a mirror that copied shows each result, as a dashboard's ratio wants
                    }
                }
                return;
            }
        }
    }

    void record(Backend backend, int status, long totalNanos, long upstreamNanos, long gatewayNanos,
                long inBytes, long outBytes, AuthOutcome authOutcome, RateLimitOutcome rateLimitOutcome) {
        long[] c = cells.stripe();
        if (cells.incrementFirst(c, SERVED) == 0) {
            served();
        }
        int slot = slot(backend);
        int statusClass = statusClass(status);
        if (RouteCells.add(c, REQUESTS + slot * STATUS_CLASSES + statusClass, 1) == 0) {
            requests[slot][statusClass].touch();
        }
        LatencyHistogram.record(c, totalAt, bounds, totalNanos);
        if (upstreamNanos > 0) {
            LatencyHistogram.record(c, upstreamAt, bounds, upstreamNanos);
        }
        LatencyHistogram.record(c, gatewayAt, bounds, gatewayNanos);
        if (inBytes > 0) {
            RouteCells.add(c, REQUEST_BYTES, inBytes);
        }
        if (outBytes > 0) {
            RouteCells.add(c, RESPONSE_BYTES, outBytes);
        }
        decisions.record(authOutcome, rateLimitOutcome);
    }

    /** The series a served route always has, at 0 until counted: once per stripe, the first registers them. */
    private void served() {
        total.touch();
        upstream.touch();
        gateway.touch();
        requestBytes.touch();
        responseBytes.touch();
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
