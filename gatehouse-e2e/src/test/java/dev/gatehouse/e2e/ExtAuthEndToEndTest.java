package dev.gatehouse.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.app.demo.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * External authorization through the real jar, with curl and a real HTTP ext-auth service on loopback (the JDK's
 * server): the SecurityPolicy {@code extAuth} field and the HTTPRoute {@code ExternalAuth} filter. Allowed with the
 * service's header forwarded upstream (a client's copy dropped), denied with the service's status, header and body,
 * a slow service (the timeout fails closed with statusOnError, or open with failOpen), a dead one (connection
 * refused: closed), and the outcomes in the metrics.
 */
class ExtAuthEndToEndTest {
    /** An HTTPRoute "name" for host "name.test" to the echo Service, for a policy to target. */
    private static String route(String name) {
        return """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: %1$s, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  hostnames: [%1$s.test]
                  rules: [{backendRefs: [{name: echo, port: 80}]}]
                """.formatted(name);
    }

    private static final String POLICIES = route("ext") + route("slow") + route("slow-open") + route("dead") + """
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: filtered, namespace: default}
            spec:
              parentRefs: [{name: edge}]
              hostnames: [filter.test]
              rules:
              - backendRefs: [{name: echo, port: 80}]
                filters:
                - type: ExternalAuth
                  externalAuth:
                    protocol: HTTP
                    backendRef: {name: ext-auth, port: 80}
                    http:
                      path: /gep
            ---
            apiVersion: gatehouse.dev/v1alpha1
            kind: SecurityPolicy
            metadata: {name: ext-auth, namespace: default}
            spec:
              targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: ext}]
              extAuth:
                http:
                  backendRefs: [{name: ext-auth, port: 80}]
                  path: /auth
                  headersToBackend: [x-current-user]
                headersToExtAuth: [x-api-key]
                timeout: 5s
            ---
            apiVersion: gatehouse.dev/v1alpha1
            kind: SecurityPolicy
            metadata: {name: slow, namespace: default}
            spec:
              targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: slow}]
              extAuth:
                http: {backendRefs: [{name: ext-auth, port: 80}], path: /slow}
                timeout: 300ms
                statusOnError: 503
            ---
            apiVersion: gatehouse.dev/v1alpha1
            kind: SecurityPolicy
            metadata: {name: slow-open, namespace: default}
            spec:
              targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: slow-open}]
              extAuth:
                http: {backendRefs: [{name: ext-auth, port: 80}], path: /slow}
                timeout: 300ms
                failOpen: true
            ---
            apiVersion: gatehouse.dev/v1alpha1
            kind: SecurityPolicy
            metadata: {name: dead, namespace: default}
            spec:
              targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: dead}]
              extAuth:
                http: {backendRefs: [{name: dead-auth, port: 80}]}
            """;

    @TempDir
    Path dir;

    /** What the service saw of each check, by path. */
    private final Map<String, Map<String, List<String>>> seen = new ConcurrentHashMap<>();

    /**
     * {@code Authorization: Bearer good} is alice (200 with x-current-user); anything else is 401 with a challenge
     * and a body of its own. A path starting /slow answers only after 10 s.
     */
    private void check(HttpExchange call) throws IOException {
        String target = call.getRequestURI().toString();
        seen.put(call.getRequestMethod() + " " + target, Map.copyOf(call.getRequestHeaders()));
        call.getRequestBody().readAllBytes();
        if (target.startsWith("/slow")) {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if ("Bearer good".equals(call.getRequestHeaders().getFirst("Authorization"))) {
            call.getResponseHeaders().add("x-current-user", "alice");
            call.sendResponseHeaders(200, -1);
        } else {
            byte[] body = "denied by ext-auth\n".getBytes(StandardCharsets.UTF_8);
            call.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"ext\"");
            call.getResponseHeaders().add("Content-Type", "text/plain");
            call.sendResponseHeaders(401, body.length);
            call.getResponseBody().write(body);
        }
        call.close();
    }

    @Test
    void allowedDeniedSlowDeadAndTheHttpRouteFilter() throws Exception {
        HttpServer auth = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        auth.setExecutor(threads);
        auth.createContext("/", this::check);
        auth.start();
        try (EchoServer echo = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "echo", "default")) {
            int port = GatewayProcess.freePort();
            int dead = GatewayProcess.freePort(); // nothing listens there: connection refused
            Path file = dir.resolve("gateway.yaml");
            Configs.write(file, Configs.base(port) + Configs.service("echo", echo.address().getPort())
                    + Configs.service("ext-auth", auth.getAddress().getPort()) + Configs.service("dead-auth", dead)
                    + POLICIES);
            try (GatewayProcess gateway = GatewayProcess.start(dir, List.of("-Xmx256m"), List.of())) {
                String url = "http://127.0.0.1:" + port;

                // allowed: the check carries method, prefixed path, Host, Authorization and x-api-key, not the
                // cookie or the body; the answer's x-current-user replaces the client's own
                Curl.Result ok = Curl.run("-i", "-X", "POST", "-d", "payload", "-H", "Host: ext.test",
                        "-H", "Authorization: Bearer good", "-H", "x-api-key: k1", "-H", "Cookie: session=s",
                        "-H", "x-current-user: mallory", url + "/hello?x=1");
                assertThat(ok.stdout()).startsWith("HTTP/1.1 200").contains("\"x-current-user\":\"alice\"")
                        .doesNotContain("mallory");
                Map<String, List<String>> asked = seen.get("POST /auth/hello?x=1");
                assertThat(asked).as("checks seen: %s", seen.keySet()).isNotNull();
                assertThat(asked.get("Host")).containsExactly("ext.test");
                assertThat(asked.get("Authorization")).containsExactly("Bearer good");
                assertThat(asked.get("X-api-key")).containsExactly("k1");
                assertThat(asked.get("Content-length")).containsExactly("0");
                assertThat(asked).doesNotContainKeys("Cookie", "X-current-user");

                // the same over h2c: a stream's check runs on its connection's loop
                Curl.Result h2 = Curl.run("-i", "--http2-prior-knowledge", "-H", "Host: ext.test",
                        "-H", "Authorization: Bearer good", url + "/h2");
                assertThat(h2.stdout()).startsWith("HTTP/2 200").contains("\"x-current-user\":\"alice\"");

                // denied: the service's status, challenge and body reach the client; the backend is not asked
                Curl.Result denied = Curl.run("-i", "-H", "Host: ext.test", "-H", "Authorization: Bearer bad",
                        url + "/hello");
                assertThat(denied.stdout()).startsWith("HTTP/1.1 401")
                        .containsIgnoringCase("www-authenticate: Bearer realm=\"ext\"").contains("denied by ext-auth")
                        .doesNotContain("\"path\"");

                // slow: the 300 ms timeout fails closed with statusOnError 503, or open with failOpen
                long start = System.nanoTime();
                Curl.Result slow = Curl.run("-i", "-H", "Host: slow.test", "-H", "Authorization: Bearer good",
                        url + "/");
                assertThat(slow.stdout()).startsWith("HTTP/1.1 503").contains("External authorization failed.");
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                        .as("did not wait for the 10 s answer").isLessThan(8000);
                assertThat(Curl.run("-i", "-H", "Host: slow-open.test", url + "/open").stdout())
                        .startsWith("HTTP/1.1 200").contains("\"path\":\"/open\"");

                // dead: connection refused fails closed with EG's default 403
                assertThat(Curl.run("-i", "-H", "Host: dead.test", url + "/").stdout()).startsWith("HTTP/1.1 403")
                        .contains("External authorization failed.");

                // the HTTPRoute ExternalAuth filter (GEP-1494): every answer header goes upstream; a denial is relayed
                Curl.Result filtered = Curl.run("-i", "-H", "Host: filter.test", "-H", "Authorization: Bearer good",
                        url + "/f");
                assertThat(filtered.stdout()).startsWith("HTTP/1.1 200").contains("\"x-current-user\":\"alice\"");
                assertThat(seen).containsKey("GET /gep/f");
                assertThat(Curl.run("-i", "-H", "Host: filter.test", url + "/f").stdout()).startsWith("HTTP/1.1 401")
                        .contains("denied by ext-auth");

                HttpClient client = HttpClient.newHttpClient();
                String metrics = client.send(HttpRequest.newBuilder(gateway.admin("/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).contains("gatehouse_auth_outcomes_total{outcome=\"allowed\"",
                        "gatehouse_auth_outcomes_total{outcome=\"unauthenticated\"",
                        "gatehouse_auth_outcomes_total{outcome=\"error\"");
            }
        } finally {
            auth.stop(0);
            threads.shutdownNow();
        }
    }
}
