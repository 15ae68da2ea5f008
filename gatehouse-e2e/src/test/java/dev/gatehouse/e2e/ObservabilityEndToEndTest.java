package dev.gatehouse.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.app.demo.EchoServer;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Metrics, access log, request ids, OTLP tracing and the debug header of the real jar: requests go through,
 * then {@code /metrics} is parsed as Prometheus text, the access log as JSON lines and the exported spans as
 * OTLP protobuf.
 */
class ObservabilityEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ECHO_ROUTE = "default/echo#1";
    private static final String DEAD_ROUTE = "default/echo#0";

    @TempDir
    static Path dir;
    static EchoServer backend;
    static OtlpReceiver otlp;
    static GatewayProcess gateway;
    static Path accessLog;
    static int port;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void start() throws Exception {
        backend = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "backend-1", "default");
        otlp = new OtlpReceiver();
        port = GatewayProcess.freePort();
        int deadPort = GatewayProcess.freePort();
        Path config = Files.createDirectories(dir.resolve("config"));
        Configs.write(config.resolve("gateway.yaml"), Configs.base(port)
                + Configs.service("echo", backend.address().getPort())
                + Configs.service("dead", deadPort)
                + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: echo, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  hostnames: [echo.example.com]
                  rules:
                  - matches: [{path: {type: PathPrefix, value: /dead}}]
                    backendRefs: [{name: dead, port: 80}]
                  - backendRefs: [{name: echo, port: 80}]
                """);
        accessLog = dir.resolve("logs/access.jsonl");
        gateway = GatewayProcess.start(config, List.of("-Xmx256m"), List.of("--access-log", accessLog.toString(),
                "--otlp-endpoint", otlp.url(), "--debug-header", "--health-check-interval", "0"));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        otlp.close();
        backend.close();
    }

    private static HttpResponse<String> get(String host, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).header("Host", host);
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<PrometheusText.Sample> scrape() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(gateway.admin("/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain"));
        return PrometheusText.parse(r.body());
    }

    @Test
    void metricsCountRequestsByRouteBackendAndStatusClassAndFillHistogramBuckets() throws Exception {
        List<PrometheusText.Sample> before = scrape();
        for (int i = 0; i < 3; i++) {
            assertThat(get("echo.example.com", "/ok/" + i).statusCode()).isEqualTo(200);
        }
        assertThat(get("nowhere.example.com", "/x").statusCode()).isEqualTo(404);
        assertThat(get("echo.example.com", "/dead/1").statusCode()).isEqualTo(502);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<PrometheusText.Sample> after = scrape();
            Map<String, String> ok = Map.of("listener", "default/edge/web", "route", ECHO_ROUTE,
                    "backend", "default/echo:80", "status_class", "2xx");
            assertThat(delta(before, after, "gatehouse_http_requests_total", ok)).isEqualTo(3);
            assertThat(delta(before, after, "gatehouse_http_requests_total",
                    Map.of("listener", "default/edge/web", "route", "none", "backend", "none", "status_class", "4xx"))).isEqualTo(1);
            assertThat(delta(before, after, "gatehouse_http_requests_total",
                    Map.of("route", DEAD_ROUTE, "backend", "default/dead:80", "status_class", "5xx"))).isEqualTo(1);
            Map<String, String> route = Map.of("route", ECHO_ROUTE);
            // every request lands in the +Inf bucket and, on loopback, in the 10 s one; count and sum move
            for (String h : List.of("gatehouse_http_request_duration_seconds", "gatehouse_http_upstream_duration_seconds",
                    "gatehouse_http_gateway_duration_seconds")) {
                assertThat(delta(before, after, h + "_bucket", with(route, "le", "+Inf"))).as(h).isEqualTo(3);
                assertThat(delta(before, after, h + "_bucket", with(route, "le", "10.0"))).as(h).isEqualTo(3);
                assertThat(delta(before, after, h + "_count", route)).as(h).isEqualTo(3);
                assertThat(delta(before, after, h + "_sum", route)).as(h).isPositive();
            }
            assertThat(delta(before, after, "gatehouse_http_response_bytes_total", route)).isPositive();
        });
        List<PrometheusText.Sample> now = scrape();
        assertThat(PrometheusText.sum(now, "gatehouse_config_reloads_total", Map.of("result", "success"))).isGreaterThanOrEqualTo(1);
        assertThat(PrometheusText.sum(now, "gatehouse_config_generation", Map.of())).isGreaterThanOrEqualTo(1);
        assertThat(PrometheusText.sum(now, "gatehouse_backend_endpoint_healthy",
                Map.of("cluster", "default/echo:80", "endpoint", "127.0.0.1:" + backend.address().getPort()))).isEqualTo(1);
        assertThat(PrometheusText.present(now, "gatehouse_connections_open", Map.of("port", Integer.toString(port)))).isTrue();
        assertThat(PrometheusText.present(now, "gatehouse_http2_streams_open", Map.of())).isTrue();
        // no auth or rate-limit filter in this config: no always-zero series for them
        assertThat(now).noneMatch(s -> s.name().startsWith("gatehouse_auth_") || s.name().startsWith("gatehouse_ratelimit_"));
        assertThat(PrometheusText.present(now, "gatehouse_accesslog_dropped_total", Map.of())).isTrue();
        // bounded labels: no raw path ever becomes a label value
        assertThat(now).noneMatch(s -> s.labels().values().stream().anyMatch(v -> v.startsWith("/ok")));
    }

    @Test
    void requestIdIsGeneratedOrKeptAndReachesBackendClientAndAccessLog() throws Exception {
        HttpResponse<String> generated = get("echo.example.com", "/id");
        String id = generated.headers().firstValue("X-Request-ID").orElseThrow();
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(JSON.readTree(generated.body()).path("headers").path("x-request-id").asText()).isEqualTo(id);

        HttpResponse<String> kept = get("echo.example.com", "/logged?q=1", "X-Request-ID", "e2e-log-42");
        assertThat(kept.headers().firstValue("X-Request-ID")).hasValue("e2e-log-42");
        assertThat(JSON.readTree(kept.body()).path("headers").path("x-request-id").asText()).isEqualTo("e2e-log-42");

        JsonNode line = await().atMost(Duration.ofSeconds(30)).until(() -> accessLogLine("e2e-log-42"), Optional::isPresent).get();
        assertThat(line.path("method").asText()).isEqualTo("GET");
        assertThat(line.path("host").asText()).isEqualTo("echo.example.com");
        assertThat(line.path("path").asText()).isEqualTo("/logged?q=1");
        assertThat(line.path("route").asText()).isEqualTo(ECHO_ROUTE);
        assertThat(line.path("backend").asText()).isEqualTo("default/echo:80");
        assertThat(line.path("endpoint").asText()).isEqualTo("127.0.0.1:" + backend.address().getPort());
        assertThat(line.path("status").asInt()).isEqualTo(200);
        assertThat(line.path("bytes_out").asLong()).isPositive();
        assertThat(line.path("client").asText()).startsWith("127.0.0.1:");
        assertThat(line.path("duration_ms").asDouble()).isGreaterThanOrEqualTo(line.path("upstream_ms").asDouble());
        assertThat(line.path("time").asText()).endsWith("Z");
        assertThat(line.path("failure").isNull()).isTrue();
    }

    @Test
    void upstreamFailureReasonIsInTheAccessLog() throws Exception {
        assertThat(get("echo.example.com", "/dead/log", "X-Request-ID", "e2e-dead-7").statusCode()).isEqualTo(502);
        JsonNode line = await().atMost(Duration.ofSeconds(30)).until(() -> accessLogLine("e2e-dead-7"), Optional::isPresent).get();
        assertThat(line.path("status").asInt()).isEqualTo(502);
        assertThat(line.path("route").asText()).isEqualTo(DEAD_ROUTE);
        assertThat(line.path("failure").asText()).contains("upstream connect error");
    }

    @Test
    void spansAreExportedOverOtlpContinuingTheClientsTrace() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String parentId = "00f067aa0ba902b7";
        HttpResponse<String> r = get("echo.example.com", "/traced?x=1", "traceparent", "00-" + traceId + "-" + parentId + "-01",
                "tracestate", "vendor=abc");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode seen = JSON.readTree(r.body()).path("headers");
        String upstreamParent = seen.path("traceparent").asText();
        assertThat(upstreamParent).startsWith("00-" + traceId + "-").endsWith("-01");
        assertThat(seen.path("tracestate").asText()).isEqualTo("vendor=abc");

        Span span = await().atMost(Duration.ofSeconds(15)).failFast(() -> !otlp.errors().isEmpty())
                .until(() -> otlp.spans().stream()
                .filter(s -> hex(s.getTraceId().toByteArray()).equals(traceId)).findFirst(), Optional::isPresent).get();
        assertThat(hex(span.getParentSpanId().toByteArray())).isEqualTo(parentId);
        // the backend's parent is the gateway's span
        assertThat(upstreamParent).isEqualTo("00-" + traceId + "-" + hex(span.getSpanId().toByteArray()) + "-01");
        assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(attr(span, "http.route")).isEqualTo(ECHO_ROUTE);
        assertThat(attr(span, "http.request.method")).isEqualTo("GET");
        assertThat(attr(span, "url.path")).isEqualTo("/traced");
        assertThat(attr(span, "gatehouse.backend")).isEqualTo("default/echo:80");
        assertThat(span.getAttributesList()).anySatisfy(kv -> {
            assertThat(kv.getKey()).isEqualTo("http.response.status_code");
            assertThat(kv.getValue().getIntValue()).isEqualTo(200);
        });
        assertThat(span.getEndTimeUnixNano()).isGreaterThanOrEqualTo(span.getStartTimeUnixNano());
        assertThat(otlp.contentTypes()).allMatch(ct -> ct.startsWith("application/x-protobuf"));
        assertThat(otlp.errors()).isEmpty();
    }

    @Test
    void anUnsampledTraceIsPassedOnWithANewSpanIdAndNeverExported() throws Exception {
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        String parentId = "b7ad6b7169203331";
        HttpResponse<String> r = get("echo.example.com", "/unsampled", "traceparent", "00-" + traceId + "-" + parentId + "-00",
                "tracestate", "vendor=xyz");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode seen = JSON.readTree(r.body()).path("headers");
        String upstreamParent = seen.path("traceparent").asText();
        assertThat(upstreamParent).matches("00-" + traceId + "-[0-9a-f]{16}-00");
        assertThat(upstreamParent).doesNotContain(parentId); // the gateway is a hop of its own
        assertThat(seen.path("tracestate").asText()).isEqualTo("vendor=xyz");
        // a sampled request sent after it: once its span is exported, the unsampled one would have been too
        HttpResponse<String> after = get("echo.example.com", "/sampled-after", "X-Request-ID", "e2e-after-unsampled");
        assertThat(after.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> otlp.spans().stream()
                .anyMatch(s -> "e2e-after-unsampled".equals(attr(s, "gatehouse.request_id"))));
        assertThat(otlp.spans()).noneMatch(s -> hex(s.getTraceId().toByteArray()).equals(traceId));
    }

    @Test
    void aNewTraceDropsTheTracestateThatCameWithAnInvalidTraceparent() throws Exception {
        HttpResponse<String> r = get("echo.example.com", "/new-trace", "traceparent", "00-NOT-A-TRACE-01",
                "tracestate", "vendor=stale");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode seen = JSON.readTree(r.body()).path("headers");
        assertThat(seen.path("traceparent").asText()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        assertThat(seen.has("tracestate")).isFalse();
    }

    @Test
    void anInvalidTraceparentStartsANewTraceAndA5xxSpanIsAnError() throws Exception {
        HttpResponse<String> r = get("echo.example.com", "/dead/traced", "traceparent", "00-NOT-A-TRACE-01",
                "X-Request-ID", "e2e-span-502");
        assertThat(r.statusCode()).isEqualTo(502);
        Span span = await().atMost(Duration.ofSeconds(15)).until(() -> otlp.spans().stream()
                .filter(s -> "e2e-span-502".equals(attr(s, "gatehouse.request_id"))).findFirst(), Optional::isPresent).get();
        assertThat(span.getParentSpanId().isEmpty()).isTrue();
        assertThat(span.getStatus().getCode()).isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(attr(span, "error.type")).contains("upstream connect error");
    }

    @Test
    void debugHeaderReturnsTheDecisionAndIsNotForwarded() throws Exception {
        HttpResponse<String> r = get("echo.example.com", "/dbg", "X-Gatehouse-Debug", "1");
        assertThat(r.headers().firstValue("X-Gatehouse-Debug-Trace")).hasValueSatisfying(t -> assertThat(t)
                .contains("listener=default/edge/web", "rule=" + ECHO_ROUTE, "backend=default/echo:80"));
        assertThat(JSON.readTree(r.body()).path("headers").has("x-gatehouse-debug")).isFalse();
        HttpResponse<String> notFound = get("nowhere.example.com", "/dbg", "X-Gatehouse-Debug", "1");
        assertThat(notFound.headers().firstValue("X-Gatehouse-Debug-Trace")).hasValueSatisfying(t -> assertThat(t)
                .contains("outcome=404"));
        assertThat(get("echo.example.com", "/dbg").headers().firstValue("X-Gatehouse-Debug-Trace")).isEmpty();
    }

    private static Optional<JsonNode> accessLogLine(String requestId) throws Exception {
        if (!Files.exists(accessLog)) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(accessLog)) {
            JsonNode n = JSON.readTree(line);
            if (requestId.equals(n.path("request_id").asText())) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    private static double delta(List<PrometheusText.Sample> before, List<PrometheusText.Sample> after, String name,
                                Map<String, String> labels) {
        return PrometheusText.sum(after, name, labels) - PrometheusText.sum(before, name, labels);
    }

    private static Map<String, String> with(Map<String, String> m, String k, String v) {
        var all = new java.util.HashMap<>(m);
        all.put(k, v);
        return all;
    }

    private static String attr(Span span, String key) {
        for (KeyValue kv : span.getAttributesList()) {
            if (kv.getKey().equals(key)) {
                return kv.getValue().getStringValue();
            }
        }
        return null;
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
