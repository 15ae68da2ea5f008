package dev.gatehouse.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM to the real jar (Process.destroy on Linux), with requests in flight: they finish, idle keep-alive
 * connections and the listening socket close at once, /ready says 503, a stream that never ends is closed at
 * --drain-timeout, the process exits 0; a second SIGTERM exits at once.
 */
class ShutdownEndToEndTest {
    private static final String SLOW_BODY = "slow:" + "x".repeat(200_000) + ":end";

    @TempDir
    Path dir;
    private HttpServer backend;
    private ExecutorService backendThreads;
    private final CountDownLatch slowArrived = new CountDownLatch(1);
    private final CountDownLatch releaseSlow = new CountDownLatch(1);
    private int port;

    @BeforeEach
    void start() throws Exception {
        backendThreads = Executors.newFixedThreadPool(8);
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        backend.setExecutor(backendThreads);
        backend.createContext("/fast", ex -> respond(ex, "fast"));
        // answers when the test says so (at most 30 s): a request that is surely in flight when the signal comes
        backend.createContext("/slow", ex -> {
            slowArrived.countDown();
            try {
                releaseSlow.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(ex, SLOW_BODY);
        });
        // server-sent events, one every 200 ms for up to a minute: longer than any drain here
        backend.createContext("/stream", ex -> {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 300; i++) {
                    out.write(("data: tick " + i + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    Thread.sleep(200);
                }
            } catch (IOException | InterruptedException gone) {
                // the gateway closed the stream
            }
        });
        backend.start();
        port = GatewayProcess.freePort();
        Configs.write(dir.resolve("gateway.yaml"), Configs.base(port)
                + Configs.service("backend", backend.getAddress().getPort()) + Configs.route("backend", "1"));
    }

    @AfterEach
    void stop() {
        releaseSlow.countDown();
        backend.stop(0);
        backendThreads.shutdownNow();
    }

    private static void respond(HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private GatewayProcess gateway(String drainTimeout) throws Exception {
        return GatewayProcess.start(dir, List.of("-Xmx256m"), List.of("--drain-timeout", drainTimeout));
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Test
    void sigtermLetsRequestsInFlightFinishClosesIdleConnectionsAndExitsZero() throws Exception {
        try (GatewayProcess gateway = gateway("30s"); Socket idle = new Socket("127.0.0.1", port)) {
            idle.setSoTimeout(30_000);
            idle.getOutputStream().write("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readUntil(idle.getInputStream(), "fast")).startsWith("HTTP/1.1 200");
            CompletableFuture<Curl.Result> h1 = CompletableFuture.supplyAsync(() -> curl("-i", url("/slow")));
            assertThat(slowArrived.await(30, TimeUnit.SECONDS)).isTrue();

            gateway.terminate();

            // the keep-alive connection between requests closes at once, while the slow request still waits
            assertThat(idle.getInputStream().read()).isEqualTo(-1);
            await().atMost(Duration.ofSeconds(20)).until(() -> refused(port));
            HttpClient admin = HttpClient.newHttpClient();
            assertThat(status(admin, gateway.admin("/ready"))).isEqualTo(503);
            assertThat(status(admin, gateway.admin("/live"))).isEqualTo(200);
            assertThat(h1).isNotDone();

            releaseSlow.countDown();
            Curl.Result r = h1.get(60, TimeUnit.SECONDS);
            assertThat(r.exit()).as(r.stderr()).isZero();
            assertThat(r.stdout()).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close")
                    .endsWith(SLOW_BODY);
            assertThat(gateway.awaitExit(Duration.ofSeconds(30))).as(gateway.log()).isZero();
            assertThat(gateway.log()).contains("(1 request(s) in flight)", "drained in");
        }
    }

    /**
     * --drain-period: after SIGTERM the replica fails readiness at once but keeps accepting and serving (with
     * Connection: close) until the period ends, so a Service or balancer has time to stop sending to it; only
     * then does the port close.
     */
    @Test
    void theDrainPeriodKeepsServingNewConnectionsWhileNotReady() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dir, List.of("-Xmx256m"),
                List.of("--drain-period", "15s", "--drain-timeout", "5s"))) {
            long signalled = System.nanoTime();
            gateway.terminate();
            HttpClient admin = HttpClient.newHttpClient();
            // not at once on a busy machine (a signal, a JVM, an HTTP round trip), but well inside the period
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> status(admin, gateway.admin("/ready")) == 503);

            // a new connection during the period is still served, and told to go elsewhere next time
            Curl.Result r = curl("-i", url("/fast"));
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(Duration.ofSeconds(15));
            assertThat(r.exit()).as(r.stderr()).isZero();
            assertThat(r.stdout()).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close");

            await().atMost(Duration.ofSeconds(30)).until(() -> refused(port));
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isGreaterThanOrEqualTo(Duration.ofSeconds(15));
            assertThat(gateway.awaitExit(Duration.ofSeconds(30))).as(gateway.log()).isZero();
            assertThat(gateway.log()).contains("still serving for 15000 ms (--drain-period)");
        }
    }

    @Test
    void anH2RequestInFlightFinishesAfterGoaway() throws Exception {
        try (GatewayProcess gateway = gateway("30s")) {
            CompletableFuture<Curl.Result> h2 = CompletableFuture.supplyAsync(() ->
                    curl("-v", "--http2-prior-knowledge", url("/slow")));
            assertThat(slowArrived.await(30, TimeUnit.SECONDS)).isTrue();

            gateway.terminate();
            await().atMost(Duration.ofSeconds(20)).until(() -> refused(port));
            releaseSlow.countDown();

            Curl.Result r = h2.get(60, TimeUnit.SECONDS);
            assertThat(r.exit()).as(r.stderr()).isZero();
            assertThat(r.stdout()).isEqualTo(SLOW_BODY);
            assertThat(r.stderr()).contains("HTTP/2 200");
            assertThat(gateway.awaitExit(Duration.ofSeconds(30))).as(gateway.log()).isZero();
            assertThat(gateway.log()).contains("(1 request(s) in flight)", "drained in");
        }
    }

    @Test
    void aStreamThatNeverEndsIsClosedAtTheDrainTimeoutAndTheProcessExitsZero() throws Exception {
        try (GatewayProcess gateway = gateway("2s"); Socket stream = openStream()) {
            gateway.terminate();

            // the stream keeps flowing through the drain, then ends with the connection
            String rest = readToEnd(stream.getInputStream());
            assertThat(rest.split("data: tick", -1).length - 1).as(rest).isGreaterThanOrEqualTo(3);
            assertThat(gateway.awaitExit(Duration.ofSeconds(30))).as(gateway.log()).isZero();
            assertThat(gateway.log()).contains("drain timeout", "closed 1 connection(s) still busy");
        }
    }

    @Test
    void aSecondSigtermExitsAtOnce() throws Exception {
        try (GatewayProcess gateway = gateway("120s"); Socket stream = openStream()) {
            gateway.terminate();
            await().atMost(Duration.ofSeconds(20)).until(() -> gateway.log().contains("draining"));

            gateway.terminate();

            // far sooner than the 120 s drain; 128 + 15, as a shell reports a process ended by SIGTERM
            assertThat(gateway.awaitExit(Duration.ofSeconds(30))).as(gateway.log()).isEqualTo(143);
        }
    }

    /** A server-sent event stream through the gateway, its first event read. */
    private Socket openStream() throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(30_000);
        s.getOutputStream().write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readUntil(s.getInputStream(), "data: tick 0")).startsWith("HTTP/1.1 200");
        return s;
    }

    private static Curl.Result curl(String... args) {
        try {
            return Curl.run(args);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int status(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String readUntil(InputStream in, String marker) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            seen.write(b);
            if (seen.toString(StandardCharsets.UTF_8).endsWith(marker)) {
                return seen.toString(StandardCharsets.UTF_8);
            }
        }
        throw new IOException("connection closed before '" + marker + "': " + seen.toString(StandardCharsets.UTF_8));
    }

    private static String readToEnd(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
