package dev.gatehouse.proxy.observe;

import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.ir.VirtualHostSpec;
import dev.gatehouse.proxy.filter.AuthOutcome;
import dev.gatehouse.proxy.filter.RateLimitOutcome;
import dev.gatehouse.proxy.observe.metrics.GatewayMetrics;
import dev.gatehouse.proxy.route.CompiledRoute;
import dev.gatehouse.proxy.runtime.RuntimeSnapshot;
import dev.gatehouse.proxy.runtime.SnapshotCompiler;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.proxy.server.ServerOptions;
import dev.gatehouse.proxy.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The observer hooks of the real proxy over loopback: what a request log holds, request ids, debug trace, meters. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ObservedProxyTest {
    static TestBackend backend;
    static GatewayServer gateway;
    static GatewayMetrics metrics;
    static final List<RequestLog> completed = new CopyOnWriteArrayList<>();
    static final List<String> calls = new CopyOnWriteArrayList<>();
    static RuntimeSnapshot runtime;
    static int port;
    static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        backend = new TestBackend();
        port = freePort();
        int refused = freePort();
        runtime = new SnapshotCompiler().compile(snapshot(1, backend.address().getPort(), refused), null);
        metrics = new GatewayMetrics();
        ExchangeObserver recorder = new ExchangeObserver() {
            @Override
            public void onRequestStart(RequestLog log) {
                calls.add("start " + log.path());
            }

            @Override
            public void onResponseHead(RequestLog log) {
                calls.add("head " + log.path() + " " + log.status());
            }

            @Override
            public void onComplete(RequestLog log) {
                calls.add("complete " + log.path());
                completed.add(log);
            }
        };
        gateway = new GatewayServer(ServerOptions.defaults().withBindAddress("127.0.0.1"),
                new Observability(true, true, true, ExchangeObservers.of(List.of(metrics, recorder))));
        gateway.apply(runtime);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    static Snapshot snapshot(long generation, int backendPort, int refusedPort) {
        RouteRef ok = new RouteRef("HTTPRoute", "default", "shop", 0, null, 0);
        RouteRef dead = new RouteRef("HTTPRoute", "default", "shop", 1, null, 0);
        HttpRuleSpec okRule = new HttpRuleSpec(ok, new HttpMatchSpec(new HttpMatchSpec.PathMatchSpec(
                HttpMatchSpec.PathMatchType.PATH_PREFIX, "/ok"), List.of(), List.of(), null), List.of(),
                List.of(new BackendRefSpec("default/echo:80", 1, List.of(), null)), TimeoutSpec.NONE);
        HttpRuleSpec deadRule = new HttpRuleSpec(dead, new HttpMatchSpec(new HttpMatchSpec.PathMatchSpec(
                HttpMatchSpec.PathMatchType.PATH_PREFIX, "/dead"), List.of(), List.of(), null), List.of(),
                List.of(new BackendRefSpec("default/dead:80", 1, List.of(), null)), TimeoutSpec.NONE);
        ListenerSpec listener = new ListenerSpec("default/gw", "web", null, null,
                List.of(new VirtualHostSpec("*", List.of(okRule, deadRule))));
        return new Snapshot(generation, List.of(new PortSpec(port, Protocol.HTTP, List.of(listener))), List.of(
                new ClusterSpec("default/echo:80", List.of(new ClusterSpec.EndpointSpec("127.0.0.1", backendPort)),
                        ClusterSpec.LoadBalancerType.ROUND_ROBIN),
                new ClusterSpec("default/dead:80", List.of(new ClusterSpec.EndpointSpec("127.0.0.1", refusedPort)),
                        ClusterSpec.LoadBalancerType.ROUND_ROBIN)));
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static RequestLog awaitLog(String path) {
        return await().atMost(Duration.ofSeconds(5)).until(
                () -> completed.stream().filter(l -> l.path().equals(path)).findFirst().orElse(null), l -> l != null);
    }

    @Test
    void aProxiedRequestIsLoggedOnceWithRouteBackendTimesAndBytes() throws Exception {
        HttpResponse<String> r = get("/ok/1?x=y", "X-Request-ID", "given-1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-request-id")).hasValue("given-1");
        RequestLog log = awaitLog("/ok/1?x=y");
        assertThat(calls).containsSubsequence("start /ok/1?x=y", "head /ok/1?x=y 200", "complete /ok/1?x=y");
        assertThat(calls.stream().filter(c -> c.equals("complete /ok/1?x=y"))).hasSize(1);
        assertThat(log.requestId()).isEqualTo("given-1");
        assertThat(log.route().ref().ruleIndex()).isZero();
        assertThat(log.backend().cluster().name()).isEqualTo("default/echo:80");
        assertThat(log.endpoint()).isEqualTo(backend.address());
        assertThat(log.responseBytes()).isPositive();
        assertThat(log.upstreamNanos()).isPositive().isLessThanOrEqualTo(log.durationNanos());
        assertThat(log.gatewayNanos() + log.upstreamNanos()).isEqualTo(log.durationNanos());
        assertThat(log.failure()).isNull();
        assertThat(metrics.scrape()).contains("gatehouse_http_requests_total{backend=\"default/echo:80\","
                + "listener=\"default/gw/web\",route=\"default/shop#0\",status_class=\"2xx\"}");
        assertThat(count(metrics.scrape())).isGreaterThanOrEqualTo(1);
    }

    @Test
    void localAnswersAreLoggedWithTheirFailureAndAFreshRequestId() throws Exception {
        HttpResponse<String> notFound = get("/nothing", "X-Request-ID", "bad id with spaces");
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.headers().firstValue("x-request-id")).hasValueSatisfying(v -> assertThat(v).matches("[0-9a-f]{32}"));
        RequestLog nf = awaitLog("/nothing");
        assertThat(nf.route()).isNull();
        assertThat(nf.status()).isEqualTo(404);
        assertThat(nf.failure()).startsWith("no route");

        assertThat(get("/dead").statusCode()).isEqualTo(502);
        RequestLog dead = awaitLog("/dead");
        assertThat(dead.status()).isEqualTo(502);
        assertThat(dead.failure()).contains("upstream connect error");
        assertThat(dead.backend().cluster().name()).isEqualTo("default/dead:80");
    }

    @Test
    void theDebugHeaderIsAnsweredAndNotForwarded() throws Exception {
        HttpResponse<String> r = get("/ok/dbg", "X-Gatehouse-Debug", "1");
        assertThat(r.headers().firstValue("x-gatehouse-debug-trace")).hasValueSatisfying(t ->
                assertThat(t).contains("rule=default/shop#0", "backend=default/echo:80"));
        assertThat(r.body().toLowerCase()).doesNotContain("x-gatehouse-debug");
    }

    @Test
    void filterOutcomesReachTheirCountersThroughTheBoundRouteMeters() {
        CompiledRoute route = runtime.httpRouter(port).routes().get(0);
        RequestLog log = new RequestLog(System.nanoTime(), System.currentTimeMillis(), "GET", "/ok", "HTTP/1.1",
                new InetSocketAddress("127.0.0.1", 1), port);
        log.route(route);
        log.auth(AuthOutcome.DENIED);
        log.rateLimit(RateLimitOutcome.LIMITED);
        log.status(403);
        log.complete(System.nanoTime());
        metrics.onComplete(log);
        String text = metrics.scrape();
        assertThat(text).contains("gatehouse_auth_outcomes_total{outcome=\"denied\",route=\"default/shop#0\"} 1.0");
        assertThat(text).contains("gatehouse_ratelimit_outcomes_total{outcome=\"limited\",route=\"default/shop#0\"} 1.0");
    }

    @Test
    void countersSurviveAReloadThatKeepsTheRouteAndVanishWithIt() throws Exception {
        assertThat(get("/ok/reload").statusCode()).isEqualTo(200);
        awaitLog("/ok/reload");
        double before = count(metrics.scrape());
        RuntimeSnapshot next = new SnapshotCompiler().compile(snapshot(2, backend.address().getPort(), freePort()), runtime);
        metrics.bind(next);
        assertThat(count(metrics.scrape())).isEqualTo(before);
        metrics.bind(new SnapshotCompiler().compile(new Snapshot(3, List.of(), List.of()), next));
        assertThat(metrics.scrape()).doesNotContain("route=\"default/shop#0\"").doesNotContain("default/echo:80");
        metrics.bind(runtime); // back, for the other tests
    }

    private static double count(String text) {
        return text.lines().filter(l -> l.startsWith("gatehouse_http_requests_total{backend=\"default/echo:80\"")
                && l.contains("status_class=\"2xx\"")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
