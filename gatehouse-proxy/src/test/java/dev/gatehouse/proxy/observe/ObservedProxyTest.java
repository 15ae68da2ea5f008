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
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.routing.filter.AuthOutcome;
import dev.gatehouse.routing.filter.RateLimitOutcome;
import dev.gatehouse.proxy.observe.accesslog.AccessLog;
import dev.gatehouse.proxy.observe.accesslog.AccessLogField;
import dev.gatehouse.proxy.observe.metrics.GatewayMetrics;
import dev.gatehouse.routing.route.CompiledRoute;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.runtime.SnapshotCompiler;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.proxy.server.ServerOptions;
import dev.gatehouse.proxy.testing.RawH2Client;
import dev.gatehouse.proxy.testing.RawHttp;
import dev.gatehouse.proxy.testing.RecordingBackend;
import dev.gatehouse.proxy.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
    /** logs started and not yet completed; a completion of anything else is a violation of "exactly once" */
    static final Set<RequestLog> open = ConcurrentHashMap.newKeySet();
    static final List<String> violations = new CopyOnWriteArrayList<>();
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    static Path accessLogFile;
    static AccessLog accessLog;
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
                if (!open.add(log)) {
                    violations.add("started twice: " + log.path());
                }
            }

            @Override
            public void onResponseHead(RequestLog log) {
                calls.add("head " + log.path() + " " + log.status());
            }

            @Override
            public void onComplete(RequestLog log) {
                calls.add("complete " + log.path());
                if (!open.remove(log)) {
                    violations.add("completed without a start, or twice: " + log.path() + " " + log.status());
                }
                completed.add(log);
            }
        };
        accessLogFile = dir.resolve("access.log");
        accessLog = AccessLog.toFile(accessLogFile, AccessLogField.parse("all"), 1.0);
        gateway = new GatewayServer(ServerOptions.defaults().withBindAddress("127.0.0.1"),
                new Observability(true, true, true, ExchangeObservers.of(List.of(metrics, accessLog, recorder))));
        gateway.apply(runtime);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (accessLog != null) {
            accessLog.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    static Snapshot snapshot(long generation, int backendPort, int refusedPort) {
        return snapshot(generation, port, backendPort, refusedPort);
    }

    static Snapshot snapshot(long generation, int listenPort, int backendPort, int refusedPort) {
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
        return new Snapshot(generation, List.of(new PortSpec(listenPort, Protocol.HTTP, List.of(listener))), List.of(
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
        return await().atMost(Duration.ofSeconds(30)).until(
                () -> completed.stream().filter(l -> Objects.equals(l.path(), path)).findFirst().orElse(null), l -> l != null);
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
        // the host chose a listener, none of its rules matched: counted under that listener, not under none
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(metrics.scrape()).contains(
                "gatehouse_http_requests_total{backend=\"none\",listener=\"default/gw/web\",route=\"none\",status_class=\"4xx\"} "));

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

    @Test
    void requestsRefusedBeforeAnExchangeExistsAreCountedAndLoggedOnceEach() throws Exception {
        double before = unrouted4xx(metrics.scrape());
        int from = completed.size();
        String obsFold = "GET /ok/fold HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n";
        String twoHosts = "GET /ok/hosts HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n";
        String badExpect = "GET /ok/expect HTTP/1.1\r\nHost: a\r\nExpect: nonsense\r\n\r\n";
        RawHttp.Reply fold = RawHttp.send(port, obsFold, 3000);
        assertThat(fold.status()).isEqualTo(400);
        assertThat(fold.text()).containsIgnoringCase("x-request-id: ");
        assertThat(RawHttp.send(port, obsFold, 3000).status()).isEqualTo(400);
        assertThat(RawHttp.send(port, twoHosts, 3000).status()).isEqualTo(400);
        assertThat(RawHttp.send(port, badExpect, 1000).status()).isEqualTo(417);
        int sent = 5; // four over HTTP/1.1 and one h2 stream
        // an h2 stream the proxy handler refuses (an encoded control in the path) is observed the same way
        try (RawH2Client h2 = new RawH2Client(new InetSocketAddress("127.0.0.1", port))) {
            h2.headers(1, RawH2Client.request("GET", "/ok/%00"), true);
            await().atMost(Duration.ofSeconds(30)).until(() -> h2.statuses.get(1) != null);
            assertThat(h2.statuses.get(1)).isEqualTo("400");
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> unrouted4xx(metrics.scrape()) - before >= sent);
        Thread.sleep(100);
        assertThat(unrouted4xx(metrics.scrape()) - before).isEqualTo(sent);
        await().atMost(Duration.ofSeconds(30)).until(() -> completed.size() - from >= sent);
        List<RequestLog> refused = new ArrayList<>(completed.subList(from, completed.size()));
        assertThat(refused).hasSize(sent).allSatisfy(l -> {
            assertThat(l.route()).isNull();
            assertThat(l.backend()).isNull();
            assertThat(l.requestId()).matches("[0-9a-f]{32}");
            assertThat(l.durationNanos()).isNotNegative();
        });
        assertThat(refused).filteredOn(l -> l.failure().contains("obs-fold")).hasSize(2).allSatisfy(l -> {
            assertThat(l.status()).isEqualTo(400);
            assertThat(l.method()).isEqualTo(RequestLog.UNKNOWN); // the decoder failed: nothing of the head is trusted
            assertThat(l.path()).isEqualTo(RequestLog.UNKNOWN);
            assertThat(l.failure()).startsWith("malformed request: ");
        });
        assertThat(refused).filteredOn(l -> "repeated Host header".equals(l.failure())).singleElement().satisfies(l -> {
            assertThat(l.status()).isEqualTo(400);
            assertThat(l.method()).isEqualTo("GET");
            assertThat(l.path()).isEqualTo("/ok/hosts");
            assertThat(l.protocol()).isEqualTo("HTTP/1.1");
        });
        assertThat(refused).filteredOn(l -> "/ok/expect".equals(l.path())).singleElement()
                .satisfies(l -> assertThat(l.status()).isEqualTo(417));
        assertThat(refused).filteredOn(l -> "HTTP/2".equals(l.protocol())).singleElement().satisfies(l -> {
            assertThat(l.status()).isEqualTo(400);
            assertThat(l.path()).isEqualTo("/ok/%00");
            assertThat(l.failure()).contains("invalid request-target");
        });
        assertThat(calls).contains("start /ok/expect");
        assertThat(violations).isEmpty();

        // one access log line each, with status and reason
        List<JsonNode> lines = await().atMost(Duration.ofSeconds(30)).until(ObservedProxyTest::accessLines,
                all -> all.stream().filter(n -> n.path("failure").asText().contains("obs-fold")).count() == 2
                        && all.stream().anyMatch(n -> n.path("failure").asText().equals("repeated Host header")));
        assertThat(lines).filteredOn(n -> n.path("failure").asText().contains("obs-fold")).hasSize(2).allSatisfy(n -> {
            assertThat(n.path("status").asInt()).isEqualTo(400);
            assertThat(n.path("method").asText()).isEqualTo("-");
            assertThat(n.path("route").isNull()).isTrue();
            assertThat(n.path("bytes_out").asLong()).isPositive();
        });
        assertThat(lines).filteredOn(n -> n.path("failure").asText().equals("repeated Host header")).singleElement()
                .satisfies(n -> {
                    assertThat(n.path("status").asInt()).isEqualTo(400);
                    assertThat(n.path("path").asText()).isEqualTo("/ok/hosts");
                });
    }

    @Test
    void anH2cUpgradeWithABodyTooLargeToTakeIsRefusedAndObservedLikeAnyRefusal() throws Exception {
        double before = unrouted4xx(metrics.scrape());
        String upgrade = "POST /ok/upgrade HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000);
        RawHttp.Reply reply = RawHttp.send(port, upgrade, 3000);
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.text()).containsIgnoringCase("x-request-id: ").contains("h2c upgrade request body larger than");

        RequestLog log = awaitLog("/ok/upgrade");
        assertThat(log.status()).isEqualTo(413);
        assertThat(log.method()).isEqualTo("POST"); // the head was read whole: it is logged as received
        assertThat(log.route()).isNull();
        assertThat(log.failure()).isEqualTo("h2c upgrade request body larger than 65536 bytes");
        await().atMost(Duration.ofSeconds(30)).until(() -> unrouted4xx(metrics.scrape()) - before >= 1);
        JsonNode line = await().atMost(Duration.ofSeconds(30)).until(() -> accessLines().stream()
                .filter(n -> n.path("path").asText().equals("/ok/upgrade")).findFirst().orElse(null), n -> n != null);
        assertThat(line.path("status").asInt()).isEqualTo(413);
        assertThat(line.path("failure").asText()).startsWith("h2c upgrade request body larger than");
        assertThat(violations).isEmpty();
    }

    @Test
    void theConnectionGaugeSaysWhetherAConnectionSpeaksHttp1OrH2AndStaysBalanced() throws Exception {
        GatewayMetrics own = new GatewayMetrics();
        int p = freePort();
        GatewayServer gw = new GatewayServer(ServerOptions.defaults().withBindAddress("127.0.0.1"),
                new Observability(true, true, false, own));
        try {
            gw.apply(new SnapshotCompiler().compile(snapshot(1, p, backend.address().getPort(), freePort()), null));
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", p);
            try (Socket h1 = new Socket(); RawH2Client h2 = new RawH2Client(at)) {
                h1.connect(at, 2000);
                h1.setSoTimeout(500);
                h1.getOutputStream().write("GET /ok/h1 HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(RawHttp.read(h1.getInputStream()).status()).isEqualTo(200);
                h2.headers(1, RawH2Client.request("GET", "/ok/h2"), true);
                await().atMost(Duration.ofSeconds(30)).until(() -> "200".equals(h2.statuses.get(1)));
                assertThat(connections(own, p, "http/1.1")).isEqualTo(1);
                assertThat(connections(own, p, "h2")).isEqualTo(1);

                // h2c upgrade: counted as http/1.1 until the switch, then as h2
                try (Socket up = new Socket()) {
                    up.connect(at, 2000);
                    up.setSoTimeout(500);
                    up.getOutputStream().write(("GET /ok/up HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                            + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    assertThat(RawHttp.read(up.getInputStream()).statuses()).startsWith(101);
                    await().atMost(Duration.ofSeconds(30)).until(() -> connections(own, p, "h2") == 2);
                    assertThat(connections(own, p, "http/1.1")).isEqualTo(1);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> connections(own, p, "h2") == 1);
            }
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> connections(own, p, "http/1.1") == 0 && connections(own, p, "h2") == 0);
            Thread.sleep(100);
            assertThat(connections(own, p, "http/1.1")).isZero();
            assertThat(connections(own, p, "h2")).isZero();
            assertThat(own.scrape()).doesNotContain("protocol=\"HTTP\"");
        } finally {
            gw.close();
        }
    }

    @Test
    void theDebugHeaderNeverReachesTheBackendWhetherTheFeatureIsOnOrOff() throws Exception {
        try (RecordingBackend recording = new RecordingBackend()) {
            for (boolean debug : new boolean[]{true, false}) {
                recording.clear();
                int p = freePort();
                GatewayServer gw = new GatewayServer(ServerOptions.defaults().withBindAddress("127.0.0.1"),
                        new Observability(true, true, debug, ExchangeObserver.NOOP));
                try {
                    gw.apply(new SnapshotCompiler().compile(
                            snapshot(1, p, recording.address().getPort(), freePort()), null));
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/ok/dbg"))
                            .timeout(Duration.ofSeconds(10)).header("X-Gatehouse-Debug", "1").build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(r.headers().firstValue("x-gatehouse-debug-trace").isPresent()).isEqualTo(debug);
                    List<RecordingBackend.Received> got = recording.await(1, 5000);
                    assertThat(got).hasSize(1);
                    assertThat(got.get(0).headers("x-gatehouse-debug")).as("debug=" + debug).isEmpty();
                } finally {
                    gw.close();
                }
            }
        }
    }

    private static List<JsonNode> accessLines() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(accessLogFile)) {
            for (String l : Files.readAllLines(accessLogFile)) {
                if (!l.isBlank()) {
                    out.add(JSON.readTree(l));
                }
            }
        }
        return out;
    }

    /** Requests counted under listener, route and backend "none" with a 4xx status. */
    private static double unrouted4xx(String text) {
        return text.lines().filter(l -> l.startsWith("gatehouse_http_requests_total{backend=\"none\",listener=\"none\","
                        + "route=\"none\",status_class=\"4xx\"}"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static double connections(GatewayMetrics m, int port, String protocol) {
        String prefix = "gatehouse_connections_open{port=\"" + port + "\",protocol=\"" + protocol + "\"}";
        return m.scrape().lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static double count(String text) {
        return text.lines().filter(l -> l.startsWith("gatehouse_http_requests_total{backend=\"default/echo:80\"")
                && l.contains("status_class=\"2xx\"")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    static int freePort() throws Exception {
        return dev.gatehouse.testing.FreePorts.tcp();
    }
}
