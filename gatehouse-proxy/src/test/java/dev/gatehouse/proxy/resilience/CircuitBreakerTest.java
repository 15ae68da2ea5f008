package dev.gatehouse.proxy.resilience;

import dev.gatehouse.ir.BackendTimeoutSpec;
import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.CircuitBreakerSpec;
import dev.gatehouse.ir.RetrySpec;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.ir.UpstreamTlsSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The circuit breaker and the backend timeouts of a cluster's BackendTrafficPolicy, through a real gateway to real
 * backends: requests over a limit get 503 naming it in {@code x-gatehouse-overflow} (counted in metrics), the retry
 * budget holds under a failing backend, and connections are retired after their request count, age or idle time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CircuitBreakerTest {
    private ScriptedBackend a;
    private ResilienceGateway gw;

    @BeforeEach
    void start() throws Exception {
        a = new ScriptedBackend("a");
        gw = new ResilienceGateway(2);
    }

    @AfterEach
    void stop() throws Exception {
        gw.assertBreakerSettles();
        gw.close();
        a.close();
    }

    private static BackendTrafficSpec breaker(CircuitBreakerSpec cb) {
        return new BackendTrafficSpec("default/p", null, null, null, null, null, cb, null);
    }

    private static BackendTrafficSpec timeouts(BackendTimeoutSpec t) {
        return new BackendTrafficSpec("default/p", null, null, null, null, t, null, null);
    }

    /** {@code n} concurrent GETs of {@code path}; returns each answer as "status overflow-header". */
    private List<String> concurrently(int n, String path) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> gw.get(path)));
            }
            List<String> answers = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                answers.add(r.statusCode() + " " + r.headers().firstValue("x-gatehouse-overflow").orElse("-"));
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void requestsOverMaxParallelRequestsGet503NamingTheLimit() throws Exception {
        gw.serve(null, breaker(new CircuitBreakerSpec(null, null, 2L, null, null, null, null, null)),
                TimeoutSpec.NONE, a.address());
        List<String> answers = concurrently(6, "/slow?wait=700");
        assertThat(answers).contains("503 max-parallel-requests").contains("200 -")
                .allMatch(s -> s.equals("200 -") || s.equals("503 max-parallel-requests"));
        assertThat(a.maxActive.get()).isLessThanOrEqualTo(2);
        HttpResponse<String> r = gw.get("/fast");
        assertThat(r.statusCode()).as("the slots came back").isEqualTo(200);
        assertThat(gw.logs(l -> l.status() == 503, 1)).isNotEmpty().allSatisfy(l -> assertThat(l.failure())
                .isEqualTo("upstream overflow: cluster default/b:80 is at its limit of requests in flight"
                        + " (max-parallel-requests)"));
        assertThat(gw.metrics.scrape()).containsPattern(
                "gatehouse_upstream_overflow_total\\{cluster=\"default/b:80\",limit=\"max-parallel-requests\"} [1-9]");
    }

    @Test
    void connectionAndPendingLimitsRefuseNewConnections() throws Exception {
        gw.serve(null, breaker(new CircuitBreakerSpec(1L, null, null, null, null, null, null, null)),
                TimeoutSpec.NONE, a.address());
        List<String> answers = concurrently(4, "/slow?wait=700");
        assertThat(answers).contains("503 max-connections").contains("200 -");
        assertThat(a.connections.get()).isEqualTo(1);

        gw.serve(null, breaker(new CircuitBreakerSpec(null, 0L, null, null, null, null, null, null)),
                TimeoutSpec.NONE, a.address());
        Thread.sleep(200);
        HttpResponse<String> r = gw.get("/x");
        if (r.statusCode() == 503) { // a pooled connection needs no connect, so only a new one is refused
            assertThat(r.headers().firstValue("x-gatehouse-overflow")).hasValue("max-pending-requests");
            assertThat(r.body()).contains("max-pending-requests").contains("default/b:80");
        }
        gw.serve(null, breaker(new CircuitBreakerSpec(null, null, null, null, null, 0L, null, null)),
                TimeoutSpec.NONE, a.address());
        List<String> perEndpoint = concurrently(3, "/slow?wait=300");
        assertThat(perEndpoint).allMatch(s -> s.equals("503 max-endpoint-connections") || s.equals("200 -"));
    }

    @Test
    void maxRequestsPerConnectionAndMaxConnectionDurationRetireConnections() throws Exception {
        gw.serve(null, breaker(new CircuitBreakerSpec(null, null, null, null, 2L, null, null, null)),
                TimeoutSpec.NONE, a.address());
        for (int i = 0; i < 6; i++) {
            assertThat(gw.get("/n").statusCode()).isEqualTo(200);
        }
        assertThat(a.connections.get()).isEqualTo(3);

        gw.serve(null, timeouts(new BackendTimeoutSpec(null, null, Duration.ofMillis(200), null)), TimeoutSpec.NONE,
                a.address());
        assertThat(gw.get("/idle1").statusCode()).isEqualTo(200);
        assertThat(gw.get("/idle2").statusCode()).isEqualTo(200);
        Thread.sleep(800);
        assertThat(gw.get("/idle3").statusCode()).isEqualTo(200);
        assertThat(connection("/idle2")).as("reused while fresh").isEqualTo(connection("/idle1"));
        assertThat(connection("/idle3")).as("closed after 200 ms idle").isNotEqualTo(connection("/idle2"));

        gw.serve(null, timeouts(new BackendTimeoutSpec(null, null, null, Duration.ofMillis(300))), TimeoutSpec.NONE,
                a.address());
        assertThat(gw.get("/age1").statusCode()).isEqualTo(200);
        Thread.sleep(100);
        assertThat(gw.get("/age2").statusCode()).isEqualTo(200);
        Thread.sleep(600);
        assertThat(gw.get("/age3").statusCode()).isEqualTo(200);
        assertThat(connection("/age2")).isEqualTo(connection("/age1"));
        assertThat(connection("/age3")).as("older than 300 ms: not reused").isNotEqualTo(connection("/age2"));
    }

    private int connection(String path) {
        return a.hits(path).get(0).connection();
    }

    @Test
    void requestTimeoutBoundsTheUpstreamResponseUnlessTheRuleSetsOne() throws Exception {
        gw.serve(null, timeouts(new BackendTimeoutSpec(null, Duration.ofMillis(300), null, null)), TimeoutSpec.NONE,
                a.address());
        HttpResponse<String> r = gw.get("/late?wait=2000");
        assertThat(r.statusCode()).isEqualTo(504);
        gw.serve(null, timeouts(new BackendTimeoutSpec(null, Duration.ofMillis(300), null, null)),
                new TimeoutSpec(null, Duration.ofSeconds(10)), a.address());
        assertThat(gw.get("/late?wait=1000").statusCode()).as("the rule's backendRequest wins").isEqualTo(200);
    }

    @Test
    void clientsThatGiveUpMidRequestOrMidBackOffGiveTheirSlotsBack() throws Exception {
        // h1 and h2 (prior knowledge) clients that leave while the backend is slow, or while a retry waits its
        // back-off; the @AfterEach checks that nothing stays counted
        RetrySpec slowBackOff = new RetrySpec(3, Set.of(), List.of(503), null, Duration.ofSeconds(2),
                Duration.ofSeconds(4), "HTTPRoute");
        gw.serve(slowBackOff, breaker(new CircuitBreakerSpec(null, null, 50L, null, null, null, null, null)),
                TimeoutSpec.NONE, a.address());
        List<Process> curls = new ArrayList<>();
        for (String path : List.of("/gone?wait=3000", "/gone?id=g1&fail=9", "/gone?id=g2&fail=9&delay=50")) {
            for (String version : List.of("--http1.1", "--http2-prior-knowledge")) {
                curls.add(new ProcessBuilder("curl", "-s", "-o", "/dev/null", version, "--max-time", "0.5",
                        "http://127.0.0.1:" + gw.port + path + "&v=" + version).redirectErrorStream(true).start());
            }
        }
        for (Process p : curls) {
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("curl gave up (28: timeout)").isEqualTo(28);
        }
        assertThat(gw.get("/after").statusCode()).isEqualTo(200);
    }

    @Test
    void theConnectTimeoutBoundsTheTlsHandshake() throws Exception {
        // a backend that accepts and never answers the ClientHello: only the handshake timeout ends the wait
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            gw.tls = new UpstreamTlsSpec("default/tls", "b.example.com", List.of(), List.of(), null);
            gw.serve(null, timeouts(new BackendTimeoutSpec(Duration.ofMillis(300), null, null, null)), TimeoutSpec.NONE,
                    new java.net.InetSocketAddress(silent.getInetAddress(), silent.getLocalPort()));
            long start = System.nanoTime();
            HttpResponse<String> r = gw.get("/tls");
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(r.body()).containsIgnoringCase("handshake");
            assertThat(tookMillis).as("well before the 10 s default handshake timeout").isLessThan(6_000);
        }
    }

    @Test
    void theRetryBudgetCapsRetriesUnderAFailingBackend() throws Exception {
        // every answer fails (503 after 40 ms) and each request may retry 3 times; the budget allows retries for
        // 20 % of the requests in flight, at least 1
        RetrySpec retry = new RetrySpec(3, Set.of(), List.of(503), null, Duration.ofMillis(1), Duration.ofMillis(2),
                "HTTPRoute");
        gw.serve(retry, breaker(new CircuitBreakerSpec(null, null, null, null, null, null, 0.2, 1)),
                TimeoutSpec.NONE, a.address());
        ClusterBreakerProbe probe = new ClusterBreakerProbe(a);
        int clients = 10;
        int perClient = 15;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        AtomicInteger sent = new AtomicInteger();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            done.add(pool.submit(() -> {
                for (int i = 0; i < perClient && System.nanoTime() < deadline; i++) {
                    HttpResponse<String> r = gw.get("/f" + client + "-" + i + "?id=" + client + "-" + i
                            + "&fail=99&wait=40");
                    statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                    sent.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(90, TimeUnit.SECONDS);
        }
        pool.shutdownNow();
        assertThat(statuses.keySet()).as("every answer is the backend's own 503").containsOnly(503);
        int requests = sent.get();
        int attempts = a.hits.size();
        int retries = attempts - requests;
        // without a budget there would be 3 retries per request (4 attempts each)
        assertThat(retries).as("retries").isGreaterThan(0).isLessThan(requests * 3 / 2);
        // at most max(1, 20 % of 10) = 2 retries run at once: the backend never sees more than 10 + 2 at once
        assertThat(probe.maxActive()).isLessThanOrEqualTo(clients + 2);
        assertThat(gw.metrics.scrape()).containsPattern(
                "gatehouse_upstream_overflow_total\\{cluster=\"default/b:80\",limit=\"retry-budget\"} [1-9]");
    }

    /** The backend's own count of requests it is answering at once. */
    private record ClusterBreakerProbe(ScriptedBackend backend) {
        int maxActive() {
            return backend.maxActive.get();
        }
    }
}
