package dev.gatehouse.proxy.observe.metrics;

import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.balance.HealthEvents;
import dev.gatehouse.routing.filter.AuthOutcome;
import dev.gatehouse.routing.filter.HttpFilter;
import dev.gatehouse.routing.filter.RateLimitOutcome;
import dev.gatehouse.routing.filter.RequestMirrorFilter;
import dev.gatehouse.proxy.observe.EndpointHealthSource;
import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.L4Log;
import dev.gatehouse.proxy.observe.MirrorResult;
import dev.gatehouse.proxy.observe.RequestLog;
import dev.gatehouse.routing.route.Backend;
import dev.gatehouse.routing.route.CompiledRoute;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.route.ListenerRouter;
import dev.gatehouse.routing.route.Route;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The gateway's metrics. Request meters are bound per compiled route in {@link #bind} (on the control thread,
 * before the snapshot is published) and recorded in {@link #onComplete} by array indexing; meters of routes
 * and endpoints that left the config are removed on the next bind. A route's meters are registered when it
 * first serves ({@link CellCounter}): a bind only makes the cells they will live in. {@link #scrape()} renders
 * the Prometheus text format for the admin endpoint.
 */
public final class GatewayMetrics implements ExchangeObserver {
    /**
     * The label value of requests that matched no route (404) or were refused before routing; a 404 keeps the
     * listener its host chose, only a request refused before routing has listener {@code none} too.
     */
    public static final String NONE = "none";
    static final String REQUESTS = "gatehouse.http.requests";
    private static final String SECURITY_POLICY = "SecurityPolicy";
    private static final String TRAFFIC_POLICY = "BackendTrafficPolicy";
    static final String REQUEST_DURATION = "gatehouse.http.request.duration";
    static final String UPSTREAM_DURATION = "gatehouse.http.upstream.duration";
    static final String GATEWAY_DURATION = "gatehouse.http.gateway.duration";
    static final String MIRROR_REQUESTS = "gatehouse.http.mirror.requests";
    static final String FILTER_FAILURES = "gatehouse.http.filter.failures";
    static final String UPSTREAM_OVERFLOW = "gatehouse.upstream.overflow";
    static final String UPSTREAM_RETRIES = "gatehouse.upstream.retries";
    static final String HTTP2_STREAM_ERRORS = "gatehouse.http2.stream.errors";
    static final String HTTP2_GOAWAYS = "gatehouse.http2.goaways";
    static final String PROXY_PROTOCOL_REJECTED = "gatehouse.proxy.protocol.rejected";
    static final String L4_SESSIONS = "gatehouse.l4.sessions";
    static final String L4_CLOSED = "gatehouse.l4.sessions.closed";
    static final String L4_RECEIVED = "gatehouse.l4.received.bytes";
    static final String L4_SENT = "gatehouse.l4.sent.bytes";
    static final String UDP_DROPPED = "gatehouse.udp.datagrams.dropped";

    /** A filter-outcome counter family: its name, help and the {@code outcome} label of each ordinal. */
    private record OutcomeFamily(String name, String help, String[] labels) {
    }

    private static final OutcomeFamily AUTH_OUTCOMES = new OutcomeFamily("gatehouse.auth.outcomes",
            "Auth filter decisions by route and outcome",
            Arrays.stream(AuthOutcome.values()).map(AuthOutcome::label).toArray(String[]::new));
    private static final OutcomeFamily POLICY_OUTCOMES = new OutcomeFamily("gatehouse.policy.outcomes",
            "SecurityPolicy and BackendTrafficPolicy rateLimit decisions by policy kind, policy and outcome",
            DecisionCounters.POLICY_OUTCOMES);
    private static final OutcomeFamily RATELIMIT_OUTCOMES = new OutcomeFamily("gatehouse.ratelimit.outcomes",
            "Rate-limit filter decisions by route and outcome",
            Arrays.stream(RateLimitOutcome.values()).map(RateLimitOutcome::label).toArray(String[]::new));
    /** 100 us .. 10 s: the gateway's own part lives in the lowest buckets, backends in the middle ones. */
    private static final long[] BUCKETS = {
            100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000,
            100_000_000, 250_000_000, 500_000_000, 1_000_000_000, 2_500_000_000L, 5_000_000_000L, 10_000_000_000L};
    /** The {@code le} label of each bucket, in the canonical form Prometheus itself normalises to. */
    private static final String[] LE = new String[BUCKETS.length + 1];

    static {
        for (int i = 0; i < BUCKETS.length; i++) {
            LE[i] = canonical(BUCKETS[i] / 1e9);
        }
        LE[BUCKETS.length] = "+Inf";
    }

    /** One histogram series: the family's name and help, its rendered labels. */
    private record Series(String name, String help, String labels, LatencyHistogram histogram) {
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /**
     * The suppliers of {@link #monitorDrops} counters. Micrometer holds a function counter's object weakly, and a
     * caller's {@code log::dropped} is referenced by nothing else: without this list a GC would take the counter.
     */
    private final List<LongSupplier> monitored = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final RouteMeters unrouted;
    /** Histograms of {@link #unrouted}, kept for the registry's life. */
    private final Map<String, Series> permanentSeries = new LinkedHashMap<>();
    /** Histograms of the last bind, by name and labels; replaced whole, read by scrapes. */
    private volatile Map<String, Series> boundSeries = Map.of();
    private final Map<String, AtomicLong> connections = new ConcurrentHashMap<>();
    /** h2 stream errors and GOAWAYs by port and reason/error: per error, not per request, so a map probe. */
    private final Map<String, Counter> http2Errors = new ConcurrentHashMap<>();
    /** Created on a route's first filter failure (a bug, so no always-zero series per route); never removed. */
    private final Map<String, Counter> filterFailures = new ConcurrentHashMap<>();
    /** overflows and retry outcomes by cluster: counted on the failure and retry paths only */
    private final Map<String, Counter> upstreamCounters = new ConcurrentHashMap<>();
    /** L4 counters by name and labels: per connection or session, not per byte or datagram, so a map probe. */
    private final Map<String, Counter> l4Counters = new ConcurrentHashMap<>();
    private final Map<String, Counter> healthCounters = new ConcurrentHashMap<>();
    private static final String EJECTIONS = "gatehouse.backend.endpoint.ejections";
    private static final String TRANSITIONS = "gatehouse.backend.endpoint.health.transitions";
    private final AtomicLong streams = new AtomicLong();
    private final Counter reloadsOk;
    private final Counter reloadsFailed;
    private final AtomicLong generation = new AtomicLong();
    private volatile EndpointHealthSource health = EndpointHealthSource.READY;
    /**
     * How many holders of the last bind (a route's {@link RouteMeterSet}, a cluster's endpoint gauges) have each
     * meter, by identity; a meter is removed from the registry when its count falls to 0. A bind counts only the
     * holders that came or went, so a reload that changes one route does not walk the 60,000 meters of 5,000
     * (a Meter.Id also hashes all its tags on every call). Control thread only.
     */
    private final Map<Object, int[]> holders = new java.util.IdentityHashMap<>();
    /** The endpoint gauges of each cluster of the last bind, by identity: the compiler keeps an unchanged cluster. */
    private Map<Cluster, List<Gauge>> clusterGauges = new java.util.IdentityHashMap<>();
    /**
     * Endpoint health gauges by cluster and endpoint, registered once and kept while the endpoint stays: a
     * gauge registered again is ignored with a warning by Micrometer. They read {@link #health}, not a snapshot.
     */
    private final Map<String, Gauge> endpointGauges = new HashMap<>();
    /**
     * The route counters some route of the last bind or of the bind in progress holds, by name and tags: one cell
     * per series, however many routes (matches of a rule, routes whose backends changed) count into it; removed
     * when its last holder goes. Control thread only.
     */
    private final Map<String, CellCounter> cells = new HashMap<>();
    /** The same by route (labels, backends, mirrors): the last bind's and the one in progress. */
    private Map<String, RouteMeterSet> routeSets = new HashMap<>();
    private Map<String, RouteMeterSet> nextRouteSets = new HashMap<>();
    /** What the last bind gave each compiled route, by identity: the compiler keeps an unchanged route. */
    private Map<CompiledRoute, BoundRoute> boundRoutes = new java.util.IdentityHashMap<>();
    /** Auth and rate-limit counters of the last bind by family and route; control thread only. */
    private Map<String, OutcomeCounters> outcomeCounters = Map.of();

    public GatewayMetrics() {
        registry.config().meterFilter(new MissingHelp());
        unrouted = newRouteMeters(NONE, NONE, new Backend[0], new Cluster[0], DecisionCounters.NONE, null,
                permanentSeries);
        permanentSeries.values().forEach(s -> s.histogram().touch()); // scraped from the start, as its counters
        Gauge.builder("gatehouse.http2.streams.open", streams, AtomicLong::get)
                .description("Open HTTP/2 streams (requests in flight on h2 connections)").register(registry);
        reloadsOk = Counter.builder("gatehouse.config.reloads").tag("result", "success")
                .description("Config reloads by result").register(registry);
        reloadsFailed = Counter.builder("gatehouse.config.reloads").tag("result", "failure")
                .description("Config reloads by result").register(registry);
        Gauge.builder("gatehouse.config.generation", generation, AtomicLong::get)
                .description("Generation of the config being served").register(registry);
    }

    /** Where {@code gatehouse_backend_endpoint_healthy} reads health (default: ready counts as healthy). */
    public void healthSource(EndpointHealthSource source) {
        this.health = source == null ? EndpointHealthSource.READY : source;
    }

    /**
     * Counts endpoint health changes: {@code gatehouse_backend_endpoint_ejections_total} (outlier detection, by
     * cluster and reason) and {@code gatehouse_backend_endpoint_health_transitions_total} (by new state). Register
     * it with the server's {@code EndpointHealthRegistry#events}.
     */
    public HealthEvents healthEvents() {
        return new HealthEvents() {
            @Override
            public void ejected(String cluster, String reason) {
                healthCounters.computeIfAbsent(EJECTIONS + '/' + cluster + '/' + reason, k -> Counter.builder(EJECTIONS)
                        .tags("cluster", cluster, "reason", reason)
                        .description("Endpoints ejected by outlier detection (healthCheck.passive), by cluster and "
                                + "reason").register(registry)).increment();
            }

            @Override
            public void transition(String to) {
                healthCounters.computeIfAbsent(TRANSITIONS + '/' + to, k -> Counter.builder(TRANSITIONS)
                        .tags("to", to)
                        .description("Endpoint health changes: to healthy, unhealthy or unknown (active verdict), "
                                + "returned (an ejection ended)").register(registry)).increment();
            }
        };
    }

    /** The control loop's verdict on one reload attempt, and the generation served after it. */
    public void reloaded(boolean success, long servingGeneration) {
        (success ? reloadsOk : reloadsFailed).increment();
        generation.set(servingGeneration);
    }

    /** Counts what another component dropped, e.g. the access log's full queue. */
    public void monitorDrops(String name, String description, LongSupplier count) {
        monitored.add(count);
        FunctionCounter.builder(name, count, c -> c.getAsLong()).description(description).register(registry);
    }

    /**
     * The Prometheus text exposition format (0.0.4): Micrometer's meters, then the request histograms, which
     * are kept outside Micrometer (see {@link LatencyHistogram}).
     */
    public String scrape() {
        StringBuilder sb = new StringBuilder(registry.scrape());
        if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '\n') {
            sb.append('\n');
        }
        Map<String, List<Series>> families = new TreeMap<>();
        for (Map<String, Series> m : List.of(permanentSeries, boundSeries)) {
            for (Series series : m.values()) {
                families.computeIfAbsent(series.name(), k -> new ArrayList<>()).add(series);
            }
        }
        for (List<Series> family : families.values()) {
            family.removeIf(series -> !series.histogram().started()); // routes that served nothing yet
            if (family.isEmpty()) {
                continue;
            }
            Series head = family.get(0);
            sb.append("# HELP ").append(head.name()).append(' ').append(head.help()).append('\n');
            sb.append("# TYPE ").append(head.name()).append(" histogram\n");
            for (Series series : family) {
                series.histogram().appendTo(sb, series.name(), series.labels(), LE);
            }
        }
        return sb.toString();
    }

    public static String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public synchronized void bind(RuntimeSnapshot snapshot) {
        nextRouteSets = new HashMap<>();
        Map<String, Series> series = new LinkedHashMap<>();
        Map<String, OutcomeCounters> outcomes = new HashMap<>();
        Map<CompiledRoute, BoundRoute> nextBound = new java.util.IdentityHashMap<>();
        for (HttpPortRouter router : snapshot.httpRouters().values()) {
            for (CompiledRoute route : router.routes()) {
                BoundRoute was = boundRoutes.get(route);
                if (was != null && routeSets.get(was.key()) == was.set()) {
                    // a route the compiler kept (same instance, so same labels, backends and policies) keeps its
                    // meters as bound: no key to build, nothing to look up
                    nextRouteSets.put(was.key(), was.set());
                    series.putAll(was.set().series());
                    outcomes.putAll(was.outcomes());
                    nextBound.put(route, was);
                    continue;
                }
                Backend[] backends = route.backends().toArray(new Backend[0]);
                Map<String, OutcomeCounters> mine = new HashMap<>(4);
                DecisionCounters decisions = decisions(outcomes, mine, route);
                Cluster[] mirrors = mirrorClusters(route);
                String key = meterKey(listenerLabel(route), route.label(), backends, mirrors);
                route.bindObservation(routeMeters(key, listenerLabel(route), route.label(), backends, mirrors,
                        decisions, series));
                nextBound.put(route, new BoundRoute(key, nextRouteSets.get(key), Map.copyOf(mine)));
            }
            for (ListenerRouter listener : router.listeners()) {
                listener.bindObservation(routeMeters(meterKey(listener.id(), NONE, new Backend[0], new Cluster[0]),
                        listener.id(), NONE, new Backend[0], new Cluster[0], DecisionCounters.NONE, series));
            }
        }
        Map<Cluster, List<Gauge>> gauges = new java.util.IdentityHashMap<>();
        for (Cluster cluster : snapshot.clusters().values()) {
            List<Gauge> kept = clusterGauges.get(cluster);
            if (kept == null) {
                List<Gauge> mine = new ArrayList<>(cluster.endpoints().size());
                for (InetSocketAddress endpoint : cluster.endpoints()) {
                    mine.add(endpointGauge(cluster.name(), endpoint));
                }
                kept = mine;
            }
            gauges.put(cluster, kept);
        }
        // holders that came first, then those that went: a meter moving from one to the other stays registered
        nextRouteSets.forEach((key, set) -> {
            if (routeSets.get(key) != set) {
                hold(set.meters(), 1);
            }
        });
        gauges.forEach((cluster, list) -> {
            if (!clusterGauges.containsKey(cluster)) {
                hold(list, 1);
            }
        });
        List<Object> released = new ArrayList<>();
        routeSets.forEach((key, set) -> {
            if (nextRouteSets.get(key) != set) {
                set.routeMeters().unbind();
                released.addAll(hold(set.meters(), -1));
            }
        });
        clusterGauges.forEach((cluster, list) -> {
            if (!gauges.containsKey(cluster)) {
                released.addAll(hold(list, -1));
            }
        });
        if (!released.isEmpty()) {
            for (Object o : released) {
                if (o instanceof CellCounter c) {
                    c.retire();
                    cells.remove(c.key);
                } else {
                    registry.remove((Meter) o);
                }
            }
            Set<Object> gone = identitySet();
            gone.addAll(released);
            endpointGauges.values().removeIf(gone::contains);
        }
        clusterGauges = gauges;
        for (Map.Entry<String, OutcomeCounters> e : outcomeCounters.entrySet()) {
            if (!outcomes.containsKey(e.getKey())) {
                e.getValue().retire();
            }
        }
        outcomeCounters = outcomes;
        routeSets = nextRouteSets;
        boundRoutes = nextBound;
        boundSeries = series;
    }

    /** What a bind gave a compiled route: its meters' key and set, and the outcome counters its filters count into. */
    private record BoundRoute(String key, RouteMeterSet set, Map<String, OutcomeCounters> outcomes) { }

    private Gauge endpointGauge(String cluster, InetSocketAddress endpoint) {
        String address = endpoint.getAddress().getHostAddress() + ":" + endpoint.getPort();
        return endpointGauges.computeIfAbsent(cluster + ' ' + address, k ->
                Gauge.builder("gatehouse.backend.endpoint.healthy", () -> health.healthy(cluster, endpoint) ? 1 : 0)
                        .tags("cluster", cluster, "endpoint", address)
                        .description("1 when the endpoint is ready and not marked unhealthy").register(registry));
    }

    /** The counters a route's filter decisions go to: by route, and by the policies the translator chose for it. */
    private DecisionCounters decisions(Map<String, OutcomeCounters> into, Map<String, OutcomeCounters> mine,
                                       CompiledRoute route) {
        String label = route.label();
        String security = route.policy(SECURITY_POLICY);
        String traffic = route.policy(TRAFFIC_POLICY);
        return new DecisionCounters(outcomeCounters(into, mine, AUTH_OUTCOMES, "route", label),
                outcomeCounters(into, mine, RATELIMIT_OUTCOMES, "route", label),
                security == null ? null : outcomeCounters(into, mine, POLICY_OUTCOMES, "kind", SECURITY_POLICY, "policy", security),
                traffic == null ? null : outcomeCounters(into, mine, POLICY_OUTCOMES, "kind", TRAFFIC_POLICY, "policy", traffic));
    }

    /**
     * The counters of one outcome family and labels (a route's, a policy's), the same object across binds while
     * the route or policy stays, and shared by every route of a policy in this bind.
     */
    private OutcomeCounters outcomeCounters(Map<String, OutcomeCounters> into, Map<String, OutcomeCounters> mine,
                                            OutcomeFamily family, String... tags) {
        String key = family.name() + ' ' + String.join(" ", tags);
        OutcomeCounters counters = into.computeIfAbsent(key, k -> {
            OutcomeCounters kept = outcomeCounters.get(k);
            return kept != null ? kept : new OutcomeCounters(registry, family.name(), family.help(), tags, family.labels());
        });
        mine.put(key, counters);
        return counters;
    }

    @Override
    public void onComplete(RequestLog log) {
        Route route = log.route();
        Object bound = route != null ? route.observation()
                : log.unmatchedOn() != null ? log.unmatchedOn().observation() : null;
        RouteMeters m = bound instanceof RouteMeters rm ? rm : unrouted;
        m.record(log.backend(), log.status(), log.durationNanos(), log.upstreamNanos(), log.gatewayNanos(),
                log.requestBytes(), log.responseBytes(), log.authOutcome(), log.rateLimitOutcome());
    }

    @Override
    public void onMirrorComplete(Route route, Cluster mirror, MirrorResult result) {
        if (route != null && route.observation() instanceof RouteMeters m) {
            m.recordMirror(mirror, result);
        }
    }

    @Override
    public void filterFailed(Route route, String phase) {
        String name = route == null ? NONE : route.ref().ruleLabel();
        filterFailures.computeIfAbsent(phase + '/' + name, k -> Counter.builder(FILTER_FAILURES)
                .tags("route", name, "phase", phase)
                .description("Filters that threw, by route and phase; each request answered 500")
                .register(registry)).increment();
    }

    @Override
    public void upstreamOverflow(String cluster, String limit) {
        upstreamCounter(UPSTREAM_OVERFLOW, cluster, "limit", limit,
                "Requests, connections and retries a circuit breaker limit refused (503), by cluster and limit");
    }

    @Override
    public void upstreamRetry(String cluster, String outcome) {
        upstreamCounter(UPSTREAM_RETRIES, cluster, "outcome", outcome,
                "Retry decisions by cluster and outcome (retried, success, exhausted, overflow, not-replayable)");
    }

    private void upstreamCounter(String name, String cluster, String label, String value, String description) {
        upstreamCounters.computeIfAbsent(name + '/' + cluster + '/' + value, k -> Counter.builder(name)
                .tags("cluster", cluster, label, value).description(description).register(registry)).increment();
    }

    @Override
    public void http2StreamError(int port, String reason) {
        http2Counter(HTTP2_STREAM_ERRORS, "HTTP/2 streams the codec refused or reset itself, by reason",
                port, "reason", reason).increment();
    }

    @Override
    public void http2GoAwaySent(int port, String error) {
        http2Counter(HTTP2_GOAWAYS, "GOAWAY frames sent, by error code", port, "error", error).increment();
    }

    @Override
    public void proxyProtocolRejected(int port) {
        http2Errors.computeIfAbsent(PROXY_PROTOCOL_REJECTED + '/' + port, k -> Counter.builder(PROXY_PROTOCOL_REJECTED)
                .tag("port", Integer.toString(port))
                .description("Connections from trusted PROXY protocol sources closed for a missing or bad header")
                .register(registry)).increment();
    }

    /**
     * Created at most once per (name, port, label value); the label values are closed sets (see the
     * {@link ExchangeObserver} hooks). Never removed: ports and reasons are few.
     */
    private Counter http2Counter(String name, String help, int port, String key, String value) {
        return http2Errors.computeIfAbsent(name + '/' + port + '/' + value, k -> Counter.builder(name)
                .tags("port", Integer.toString(port), key, value).description(help).register(registry));
    }

    @Override
    public void l4Opened(L4Log log) {
        l4Counter(L4_SESSIONS, "L4 connections (TCP, TLS) and UDP sessions relayed to a backend, by port, "
                + "protocol, route and backend", log, null).increment();
    }

    @Override
    public void l4Closed(L4Log log) {
        l4Counter(L4_CLOSED, "L4 connections and UDP sessions ended, by port, protocol, route and close reason",
                log, log.closeReason().label()).increment();
        if (log.bytesIn() > 0) {
            l4Counter(L4_RECEIVED, "Bytes received from L4 clients (TCP, TLS, UDP), counted when the connection or "
                    + "session ends", log, null).increment(log.bytesIn());
        }
        if (log.bytesOut() > 0) {
            l4Counter(L4_SENT, "Bytes sent to L4 clients (TCP, TLS, UDP), counted when the connection or session "
                    + "ends", log, null).increment(log.bytesOut());
        }
    }

    @Override
    public void udpDatagramDropped(int port, String reason) {
        l4Counters.computeIfAbsent(UDP_DROPPED + '/' + port + '/' + reason, k -> Counter.builder(UDP_DROPPED)
                .tags("port", Integer.toString(port), "reason", reason)
                .description("UDP datagrams dropped, by port and reason").register(registry)).increment();
    }

    /**
     * Created once per name and labels, kept for the registry's life (routes of L4 ports are few).
     *
     * @param reason the close reason label, or {@code null} for the families without one
     */
    private Counter l4Counter(String name, String help, L4Log log, String reason) {
        String route = log.route() == null ? NONE : log.route().ruleLabel();
        String backend = log.backend() == null ? NONE : log.backend();
        String key = name + '/' + log.port() + '/' + log.protocol() + '/' + route + '/'
                + (reason == null ? backend : reason);
        return l4Counters.computeIfAbsent(key, k -> {
            Counter.Builder b = Counter.builder(name).tags("port", Integer.toString(log.port()),
                    "protocol", log.protocol(), "route", route).description(help);
            b = reason == null ? b.tag("backend", backend) : b.tag("reason", reason);
            if (name.endsWith(".bytes")) {
                b = b.baseUnit("bytes");
            }
            return b.register(registry);
        });
    }

    @Override
    public void connectionOpened(int port, String protocol) {
        connectionGauge(port, protocol).incrementAndGet();
    }

    @Override
    public void connectionClosed(int port, String protocol) {
        connectionGauge(port, protocol).decrementAndGet();
    }

    @Override
    public void streamOpened() {
        streams.incrementAndGet();
    }

    @Override
    public void streamClosed() {
        streams.decrementAndGet();
    }

    /** Per connection, not per request: one map probe on accept and on close. */
    private AtomicLong connectionGauge(int port, String protocol) {
        return connections.computeIfAbsent(port + "/" + protocol, k -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("gatehouse.connections.open", v, AtomicLong::get)
                    .tags("port", Integer.toString(port), "protocol", protocol)
                    .description("Open client connections").register(registry);
            return v;
        });
    }

    /** The distinct clusters of the rule's RequestMirror filters, rule level then backendRef level. */
    private static Cluster[] mirrorClusters(CompiledRoute route) {
        List<Cluster> out = new ArrayList<>(2);
        addMirrors(route.filters(), out);
        for (Backend b : route.backends()) {
            addMirrors(b.filters(), out);
        }
        return out.toArray(new Cluster[0]);
    }

    private static void addMirrors(List<HttpFilter> filters, List<Cluster> into) {
        for (HttpFilter f : filters) {
            if (f instanceof RequestMirrorFilter m && m.cluster() != null && !into.contains(m.cluster())) {
                into.add(m.cluster());
            }
        }
    }

    /**
     * A route whose labels, backends and mirrors stay keeps its meters: one key per route instead of a dozen
     * registry lookups (a 5,000-route reload spent most of its apply here).
     */
    private static String meterKey(String listener, String route, Backend[] backends, Cluster[] mirrors) {
        StringBuilder key = new StringBuilder(listener).append('\u0000').append(route);
        for (Backend b : backends) {
            key.append('\u0000').append(b.cluster() == null ? "invalid" : b.cluster().name());
        }
        key.append('\u0001');
        for (Cluster m : mirrors) {
            key.append('\u0000').append(m.name());
        }
        return key.toString();
    }

    /** {@code decisions} is {@link DecisionCounters#NONE} where no filter runs (requests that matched no rule). */
    private RouteMeters routeMeters(String k, String listener, String route, Backend[] backends, Cluster[] mirrors,
                                    DecisionCounters decisions, Map<String, Series> series) {
        RouteMeterSet set = nextRouteSets.get(k);
        if (set == null) {
            set = routeSets.get(k);
        }
        if (set == null) {
            Set<Object> mine = identitySet();
            Map<String, Series> mySeries = new LinkedHashMap<>();
            set = new RouteMeterSet(newRouteMeters(listener, route, backends, mirrors, decisions, mine, mySeries),
                    List.copyOf(mine), Map.copyOf(mySeries));
        }
        nextRouteSets.put(k, set);
        series.putAll(set.series());
        return set.routeMeters().forMatch(backends, decisions, mirrors);
    }

    /** The meters one route keeps across binds while its key stays, with what a bind must know of them. */
    private record RouteMeterSet(RouteMeters routeMeters, List<Object> meters, Map<String, Series> series) { }

    private RouteMeters newRouteMeters(String listener, String route, Backend[] backends, Cluster[] mirrors,
                                 DecisionCounters decisions, Set<Object> ids, Map<String, Series> series) {
        int slots = RouteMeters.extraSlots() + backends.length;
        CellCounter[][] requests = new CellCounter[slots][5];
        boolean anyInvalid = false;
        for (Backend b : backends) {
            anyInvalid |= b.cluster() == null;
        }
        for (int b = 0; b < slots; b++) {
            if (b == RouteMeters.INVALID_BACKEND && !anyInvalid) {
                continue; // no invalid backendRef: that slot cannot be hit, so no series for it
            }
            String backend = b == RouteMeters.NO_BACKEND ? NONE
                    : b == RouteMeters.INVALID_BACKEND ? "invalid"
                    : backends[b - RouteMeters.extraSlots()].cluster() == null ? "invalid"
                    : backends[b - RouteMeters.extraSlots()].cluster().name();
            for (int s = 0; s < 5; s++) {
                requests[b][s] = counter(ids, REQUESTS, "HTTP requests by listener, route, backend and status class",
                        null, "listener", listener, "route", route, "backend", backend,
                        "status_class", RouteMeters.statusClassLabel(s));
            }
        }
        if (!anyInvalid) {
            requests[RouteMeters.INVALID_BACKEND] = requests[RouteMeters.NO_BACKEND];
        }
        CellCounter[][] mirrorCopies = new CellCounter[mirrors.length][MirrorResult.values().length];
        for (int i = 0; i < mirrors.length; i++) {
            for (MirrorResult r : MirrorResult.values()) {
                mirrorCopies[i][r.ordinal()] = counter(ids, MIRROR_REQUESTS,
                        "Mirror copies of requests (RequestMirror) by route, mirror backend and result", null,
                        "route", route, "backend", mirrors[i].name(), "result", r.label());
            }
        }
        return RouteMeters.bound(backends, BUCKETS, requests,
                histogram(series, REQUEST_DURATION, "Whole request, first byte in to last byte out", listener, route),
                histogram(series, UPSTREAM_DURATION, "Backend's part: endpoint picked to response end", listener, route),
                histogram(series, GATEWAY_DURATION, "Gateway's own part: request minus upstream", listener, route),
                counter(ids, "gatehouse.http.request.bytes", "Request body bytes received", "bytes",
                        "listener", listener, "route", route),
                counter(ids, "gatehouse.http.response.bytes", "Response body bytes sent", "bytes",
                        "listener", listener, "route", route),
                decisions, mirrors, mirrorCopies);
    }

    /**
     * The histogram of a route, one per name and labels as Micrometer keeps one meter per id: shared by every
     * match of a rule in this bind and kept across binds while its labels stay, so a reload does not reset it.
     */
    private LatencyHistogram histogram(Map<String, Series> into, String name, String help, String listener, String route) {
        String labels = "listener=\"" + labelValue(listener) + "\",route=\"" + labelValue(route) + '"';
        String key = name + '{' + labels;
        Series s = into.get(key);
        if (s == null) {
            s = boundSeries.get(key);
        }
        if (s == null) {
            s = permanentSeries.get(key);
        }
        if (s == null) {
            s = new Series(name.replace('.', '_') + "_seconds", help, labels, new LatencyHistogram(BUCKETS));
        }
        into.put(key, s);
        return s.histogram();
    }

    /**
     * A float label value ({@code le}) as Prometheus normalises it: shortest decimal, never an exponent for our
     * bounds, ".0" on integers ({@code 0.0001}, {@code 0.25}, {@code 1.0}, {@code 10.0}).
     */
    static String canonical(double v) {
        String plain = java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
        return plain.indexOf('.') < 0 ? plain + ".0" : plain;
    }

    /** Label values come from config names; escaped as the text format asks all the same. */
    private static String labelValue(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Adds {@code delta} to each meter's count of holders; returns those no holder has any more. */
    private List<Object> hold(List<?> meters, int delta) {
        List<Object> released = List.of();
        for (Object m : meters) {
            int[] n = holders.computeIfAbsent(m, k -> new int[1]);
            n[0] += delta;
            if (n[0] <= 0) {
                holders.remove(m);
                if (released.isEmpty()) {
                    released = new ArrayList<>();
                }
                released.add(m);
            }
        }
        return released;
    }

    private static Set<Object> identitySet() {
        return java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    }

    /**
     * A counter of the bind in progress: the cell of its name and tags when a route holds one, else a new cell,
     * registered on its first count. {@code ids == null}: a permanent counter (the unrouted series), registered
     * now and never removed.
     */
    private CellCounter counter(Set<Object> ids, String name, String description, String baseUnit, String... tags) {
        String key = name + '\u0000' + String.join("\u0000", tags);
        if (ids == null) {
            CellCounter c = new CellCounter(registry, key, name, description, baseUnit, tags);
            c.touch();
            return c;
        }
        CellCounter c = cells.computeIfAbsent(key, k -> new CellCounter(registry, k, name, description, baseUnit, tags));
        ids.add(c);
        return c;
    }

    /** "namespace/gateway/listener" */
    static String listenerLabel(Route route) {
        return route.listener().replace(' ', '/');
    }
}
