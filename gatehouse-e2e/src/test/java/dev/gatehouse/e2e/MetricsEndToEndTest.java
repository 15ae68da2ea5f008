package dev.gatehouse.e2e;

import dev.gatehouse.app.demo.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /metrics} of the real jar as a Prometheus user reads it: JVM and process families beside the gateway's,
 * numeric {@code le}/{@code quantile} labels without exponents, a HELP text on every family, no series for
 * features the config does not use, a 404 under its listener, and reloads without Micrometer's warnings.
 */
class MetricsEndToEndTest {
    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private String scrape(GatewayProcess gateway) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(gateway.admin("/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static String config(int port, int backendPort, String version) {
        return Configs.base(port) + Configs.service("echo", backendPort) + Configs.route("echo", version, "echo.example.com");
    }

    @Test
    void metricsReadAsAPrometheusUserExpectsAcrossReloads() throws Exception {
        try (EchoServer backend = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "backend-1", "default")) {
            int port = GatewayProcess.freePort();
            Path file = dir.resolve("gateway.yaml");
            Configs.write(file, config(port, backend.address().getPort(), "v0"));
            try (GatewayProcess gateway = GatewayProcess.start(dir, "-Xmx256m")) {
                HttpResponse<String> ok = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/a"))
                        .header("Host", "echo.example.com").timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ok.statusCode()).isEqualTo(200);
                HttpResponse<String> notFound = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/a"))
                        .header("Host", "other.example.com").timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(notFound.statusCode()).isEqualTo(404);

                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(PrometheusText.sum(
                        PrometheusText.parse(scrape(gateway)), "gatehouse_http_requests_total", Map.of("listener",
                                "default/edge/web", "route", "none", "status_class", "4xx"))).isEqualTo(1));
                String text = scrape(gateway);
                List<PrometheusText.Sample> samples = PrometheusText.parse(text);
                for (String family : List.of("jvm_memory_used_bytes", "jvm_gc_pause_seconds_count", "jvm_threads_live_threads",
                        "process_cpu_usage", "process_uptime_seconds", "process_files_open_files")) {
                    assertThat(PrometheusText.present(samples, family, Map.of())).as(family).isTrue();
                }
                assertThat(samples).filteredOn(s -> s.labels().containsKey("le") || s.labels().containsKey("quantile"))
                        .isNotEmpty().allSatisfy(s -> {
                            String v = s.labels().getOrDefault("le", s.labels().get("quantile"));
                            assertThat(v).as(s.name()).doesNotContain("E", "e");
                            assertThat(v.equals("+Inf") || Double.isFinite(Double.parseDouble(v))).as(v).isTrue();
                        });
                Map<String, String> help = PrometheusText.help(text);
                assertThat(help).hasSizeGreaterThan(20);
                assertThat(help).allSatisfy((family, h) -> assertThat(h).as("# HELP of " + family).isNotBlank());
                assertThat(samples).noneMatch(s -> s.name().startsWith("gatehouse_auth_")
                        || s.name().startsWith("gatehouse_ratelimit_"));

                for (String version : List.of("v1", "v2")) {
                    Configs.write(file, config(port, backend.address().getPort(), version));
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/a"))
                                    .header("Host", "echo.example.com").timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString()).body()).contains("\"x-config-version\":\"" + version + "\""));
                }
                assertThat(PrometheusText.sum(PrometheusText.parse(scrape(gateway)), "gatehouse_config_reloads_total",
                        Map.of("result", "success"))).isGreaterThanOrEqualTo(3);
                assertThat(gateway.log()).doesNotContain("already registered", "MeterFilter");
            }
        }
    }
}
