package dev.gatehouse.e2e;

import dev.gatehouse.app.demo.EchoServer;
import dev.gatehouse.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * BackendTrafficPolicy rateLimit through the real jar: a local limit, one global limit enforced together by two
 * gatehouse processes sharing a real redis-server (Debian's, on a free port), and Redis stopped mid-test: fail open
 * by default, fail closed with {@code --rate-limit-fail-closed}; the outcomes and Redis errors in /metrics; a
 * per-consumer limit behind a SecurityPolicy's API keys.
 */
class RateLimitEndToEndTest {
    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private RedisServer redis;
    private EchoServer backend;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(RedisServer.available(), "redis-server is not installed (apt-get install redis-server): skipped");
        redis = RedisServer.start();
        backend = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "backend-1", "default");
    }

    @AfterEach
    void stop() throws Exception {
        if (backend != null) {
            backend.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static String policy(String scope, long requests, String unit) {
        return """
                ---
                apiVersion: gatehouse.dev/v1alpha1
                kind: BackendTrafficPolicy
                metadata: {name: limits, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: all}]
                  rateLimit:
                    %s:
                      rules:
                      - limit: {requests: %d, unit: %s}
                """.formatted(scope, requests, unit);
    }

    /** A gateway on its own listener port and config folder, sending to the echo backend through the policy. */
    private GatewayProcess gateway(String name, int port, String policy, String... flags) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(name));
        Configs.write(folder.resolve("gateway.yaml"), Configs.base(port)
                + Configs.service("echo", backend.address().getPort()) + Configs.route("echo", "v1") + policy);
        GatewayProcess g = GatewayProcess.start(folder, List.of("-Xmx256m"), List.of(flags));
        if (flags.length > 0) {
            // counting starts once Redis is connected: before that, requests would fail open
            await().atMost(Duration.ofSeconds(30)).until(() -> g.log().contains("rate limits: connected to Redis"));
        }
        return g;
    }

    private HttpResponse<String> get(int port) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/a"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private double metric(GatewayProcess g, String name, Map<String, String> labels) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(g.admin("/metrics")).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        return PrometheusText.sum(PrometheusText.parse(r.body()), name, labels);
    }

    @Test
    void aLocalLimitLetsExactlyItsRequestsThrough() throws Exception {
        int port = GatewayProcess.freePort();
        try (GatewayProcess g = gateway("local", port, policy("local", 5, "Hour"))) {
            int ok = 0;
            HttpResponse<String> last = null;
            for (int i = 0; i < 8; i++) {
                last = get(port);
                if (last.statusCode() == 200) {
                    ok++;
                    assertThat(last.headers().firstValue("x-ratelimit-limit")).hasValue("5");
                    assertThat(last.headers().firstValue("x-ratelimit-remaining")).hasValue(Integer.toString(5 - ok));
                } else {
                    assertThat(last.statusCode()).isEqualTo(429);
                }
            }
            assertThat(ok).isEqualTo(5);
            assertThat(last.headers().firstValue("x-ratelimit-remaining")).hasValue("0");
            assertThat(last.headers().firstValue("retry-after")).isPresent();
            assertThat(last.headers().firstValue("x-ratelimit-reset")).isPresent();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(metric(g, "gatehouse_ratelimit_outcomes_total", Map.of("outcome", "allowed"))).isEqualTo(5);
                assertThat(metric(g, "gatehouse_ratelimit_outcomes_total", Map.of("outcome", "limited"))).isEqualTo(3);
                assertThat(metric(g, "gatehouse_policy_outcomes_total", Map.of("kind", "BackendTrafficPolicy",
                        "policy", "default/limits", "outcome", "rate_limited"))).isEqualTo(3);
                assertThat(metric(g, "gatehouse_policy_outcomes_total", Map.of("kind", "BackendTrafficPolicy",
                        "policy", "default/limits", "outcome", "allowed"))).isEqualTo(5);
            });
        }
    }

    @Test
    void aDistinctConsumerLimitCountsEachApiKeyClientAfterAuthentication() throws Exception {
        String policies = """
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: keys, namespace: default}
                stringData: {ann: annskey, bob: bobskey}
                ---
                apiVersion: gatehouse.dev/v1alpha1
                kind: SecurityPolicy
                metadata: {name: keys, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: all}]
                  apiKeyAuth:
                    credentialRefs: [{name: keys}]
                    extractFrom: [{headers: [x-api-key]}]
                ---
                apiVersion: gatehouse.dev/v1alpha1
                kind: BackendTrafficPolicy
                metadata: {name: limits, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: all}]
                  rateLimit:
                    local:
                      rules:
                      - clientSelectors: [{consumer: {type: Distinct}}]
                        limit: {requests: 2, unit: Hour}
                """;
        int port = GatewayProcess.freePort();
        try (GatewayProcess g = gateway("consumers", port, policies)) {
            // refused credentials come first and spend nothing
            for (int i = 0; i < 3; i++) {
                assertThat(get(port, "wrong").statusCode()).isEqualTo(401);
            }
            assertThat(get(port, "annskey").statusCode()).isEqualTo(200);
            assertThat(get(port, "annskey").statusCode()).isEqualTo(200);
            HttpResponse<String> refused = get(port, "annskey");
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("x-ratelimit-limit")).hasValue("2");
            assertThat(get(port, "bobskey").statusCode()).isEqualTo(200); // bob has a bucket of his own
        }
    }

    private HttpResponse<String> get(int port, String apiKey) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/a"))
                .header("x-api-key", apiKey).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void twoGatewaysSharingOneRedisEnforceOneGlobalLimit() throws Exception {
        int portA = GatewayProcess.freePort();
        int portB = GatewayProcess.freePort();
        String policy = policy("global", 100, "Minute");
        try (GatewayProcess a = gateway("a", portA, policy, "--rate-limit-redis", redis.uri());
             GatewayProcess b = gateway("b", portB, policy, "--rate-limit-redis", redis.uri())) {
            int ok = 0;
            int limited = 0;
            for (int i = 0; i < 300; i++) {
                HttpResponse<String> r = get(i % 2 == 0 ? portA : portB);
                if (r.statusCode() == 200) {
                    ok++;
                } else if (r.statusCode() == 429) {
                    limited++;
                    assertThat(r.headers().firstValue("x-ratelimit-limit")).hasValue("100, 100;w=60");
                    assertThat(r.headers().firstValue("retry-after")).isPresent();
                }
            }
            System.out.printf("global limit 100/min across two gateways: %d of 300 let through, %d refused%n", ok, limited);
            assertThat(ok).as("requests let through of 300, across both gateways").isBetween(95, 110);
            assertThat(ok + limited).isEqualTo(300);
            assertThat(metric(a, "gatehouse_ratelimit_outcomes_total", Map.of("outcome", "limited"))
                    + metric(b, "gatehouse_ratelimit_outcomes_total", Map.of("outcome", "limited"))).isEqualTo(limited);
        }
    }

    @Test
    void redisStoppedMidTestFailsOpenByDefaultAndClosedWithTheFlag() throws Exception {
        int open = GatewayProcess.freePort();
        int closed = GatewayProcess.freePort();
        String policy = policy("global", 1000, "Minute");
        try (GatewayProcess a = gateway("open", open, policy, "--rate-limit-redis", redis.uri());
             GatewayProcess b = gateway("closed", closed, policy, "--rate-limit-redis", redis.uri(),
                     "--rate-limit-fail-closed")) {
            assertThat(get(open).headers().firstValue("x-ratelimit-limit")).hasValue("1000, 1000;w=60");
            assertThat(get(closed).statusCode()).isEqualTo(200);

            redis.stop();
            HttpResponse<String> failedOpen = get(open);
            assertThat(failedOpen.statusCode()).isEqualTo(200);
            assertThat(failedOpen.headers().firstValue("x-ratelimit-limit")).isEmpty();
            HttpResponse<String> failedClosed = get(closed);
            assertThat(failedClosed.statusCode()).isEqualTo(503);
            assertThat(failedClosed.headers().firstValue("retry-after")).hasValue("1");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(metric(a, "gatehouse_ratelimit_outcomes_total", Map.of("outcome", "error"))).isEqualTo(1);
                assertThat(metric(a, "gatehouse_ratelimit_redis_errors_total", Map.of())).isGreaterThanOrEqualTo(1);
            });
            assertThat(a.log()).contains("rate limits: Redis [127.0.0.1:" + redis.port() + "] did not answer");

            redis.resume(); // Lettuce reconnects by itself
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(get(closed).statusCode()).isEqualTo(200));
        }
    }
}
