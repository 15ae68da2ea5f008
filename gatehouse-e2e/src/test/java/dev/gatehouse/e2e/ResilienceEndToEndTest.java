package dev.gatehouse.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A BackendTrafficPolicy (gatehouse.dev/v1alpha1, Envoy Gateway's shape) in the real jar: its retry turns a
 * backend's first 503 into a 200 the client sees, its circuit breaker answers 503 with x-gatehouse-overflow over
 * maxParallelRequests, and both are counted in /metrics.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ResilienceEndToEndTest {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    @TempDir
    Path dir;
    private HttpServer backend;
    private GatewayProcess gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.stop(0);
        }
    }

    /** /flaky/ID: 503 the first time an ID is asked, then 200; /slow: 200 after 1 s. */
    private int startBackend() throws IOException {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        backend.setExecutor(Executors.newCachedThreadPool());
        backend.createContext("/", (HttpExchange e) -> {
            String path = e.getRequestURI().getPath();
            int status = 200;
            if (path.startsWith("/flaky/") && seen.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet() == 1) {
                status = 503;
            }
            if (path.startsWith("/slow")) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = ("answer " + status).getBytes(StandardCharsets.UTF_8);
            e.sendResponseHeaders(status, body.length);
            try (OutputStream out = e.getResponseBody()) {
                out.write(body);
            }
        });
        backend.start();
        return backend.getAddress().getPort();
    }

    @Test
    void thePolicysRetryAndCircuitBreakerServeTheRoute() throws Exception {
        int backendPort = startBackend();
        int port = GatewayProcess.freePort();
        Configs.write(dir.resolve("gateway.yaml"), Configs.base(port) + Configs.service("flaky", backendPort)
                + Configs.route("flaky", "v1") + """
                ---
                apiVersion: gatehouse.dev/v1alpha1
                kind: BackendTrafficPolicy
                metadata: {name: resilience, namespace: default}
                spec:
                  targetRefs:
                  - {group: gateway.networking.k8s.io, kind: HTTPRoute, name: all}
                  retry:
                    numRetries: 2
                    retryOn:
                      triggers: ["retriable-status-codes"]
                      httpStatusCodes: [503]
                    perRetry:
                      backOff: {baseInterval: 10ms, maxInterval: 50ms}
                  circuitBreaker:
                    maxParallelRequests: 1
                """);
        gateway = GatewayProcess.start(dir);

        HttpResponse<String> r = get(port, "/flaky/1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("answer 200");
        assertThat(seen.get("/flaky/1").get()).as("the 503 and its retry").isEqualTo(2);

        List<CompletableFuture<HttpResponse<String>>> parallel = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            parallel.add(client.sendAsync(request(port, "/slow/" + i), HttpResponse.BodyHandlers.ofString()));
        }
        List<String> answers = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : parallel) {
            HttpResponse<String> a = f.get(30, TimeUnit.SECONDS);
            answers.add(a.statusCode() + " " + a.headers().firstValue("x-gatehouse-overflow").orElse("-"));
        }
        assertThat(answers).contains("200 -", "503 max-parallel-requests");

        HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(gateway.admin("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body())
                .containsPattern("gatehouse_upstream_retries_total\\{cluster=\"default/flaky:80[^\"]*\",outcome=\"retried\"} 1")
                .containsPattern("gatehouse_upstream_overflow_total\\{cluster=\"default/flaky:80[^\"]*\","
                        + "limit=\"max-parallel-requests\"} [1-9]");
    }

    @Test
    void aTcpRoutesPolicyLimitsItsRelayedConnections() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> echo(echo), "tcp-echo");
            t.setDaemon(true);
            t.start();
            int port = GatewayProcess.freePort();
            Configs.write(dir.resolve("gateway.yaml"), Configs.gateway("  - {name: tcp, protocol: TCP, port: %d}\n"
                    .formatted(port)) + Configs.service("echo", echo.getLocalPort()) + """
                    ---
                    apiVersion: gateway.networking.k8s.io/v1alpha2
                    kind: TCPRoute
                    metadata: {name: db, namespace: default}
                    spec:
                      parentRefs: [{name: edge, sectionName: tcp}]
                      rules: [{backendRefs: [{name: echo, port: 80}]}]
                    ---
                    apiVersion: gatehouse.dev/v1alpha1
                    kind: BackendTrafficPolicy
                    metadata: {name: one-connection, namespace: default}
                    spec:
                      targetRefs:
                      - {group: gateway.networking.k8s.io, kind: TCPRoute, name: db}
                      circuitBreaker: {maxConnections: 1}
                    """);
            gateway = GatewayProcess.start(dir);
            try (Socket first = new Socket("127.0.0.1", port)) {
                first.setSoTimeout(10_000);
                assertThat(roundTrip(first, "a")).isEqualTo("a");
                try (Socket second = new Socket("127.0.0.1", port)) {
                    second.setSoTimeout(10_000);
                    second.getOutputStream().write('b');
                    int got;
                    try {
                        got = second.getInputStream().read();
                    } catch (IOException reset) {
                        got = -1; // closed with our byte unread: a reset
                    }
                    assertThat(got).as("closed, nothing relayed: over maxConnections").isEqualTo(-1);
                }
                assertThat(roundTrip(first, "c")).isEqualTo("c");
            }
            // the slot comes back once the first connection's backend side closed
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String answer = null;
            while (answer == null && System.nanoTime() < until) {
                try (Socket third = new Socket("127.0.0.1", port)) {
                    third.setSoTimeout(2_000);
                    answer = roundTrip(third, "d");
                } catch (IOException e) {
                    Thread.sleep(100);
                }
            }
            assertThat(answer).isEqualTo("d");
        }
    }

    /** Writes one character and reads one back; null when the connection was closed instead. */
    private static String roundTrip(Socket s, String c) throws IOException {
        s.getOutputStream().write(c.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        int b = s.getInputStream().read();
        return b < 0 ? null : String.valueOf((char) b);
    }

    private static void echo(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> {
                    try (s) {
                        s.getInputStream().transferTo(s.getOutputStream());
                    } catch (IOException ignored) {
                        // the client went away
                    }
                });
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20))
                .build();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return client.send(request(port, path), HttpResponse.BodyHandlers.ofString());
    }
}
