package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import dev.gatehouse.routing.route.Backend;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.proxy.testing.TestBackend;
import dev.gatehouse.proxy.testing.TestRouting;
import dev.gatehouse.proxy.testing.TestRouting.TestCluster;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The proxy over real loopback sockets, driven by curl, the JDK HttpClient and raw sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyIntegrationTest {
    static TestBackend backend;
    static TestBackend mirrorBackend;
    static GatewayServer gateway;
    static int port;
    static int refusedPort;
    static ScheduledExecutorService scheduler;
    static HttpClient client;
    static ServerSocket stuckMirror;

    @BeforeAll
    static void start() throws Exception {
        backend = new TestBackend();
        mirrorBackend = new TestBackend();
        scheduler = Executors.newSingleThreadScheduledExecutor();
        port = freePort();
        refusedPort = freePort();
        TestCluster main = new TestCluster("default/echo:80", List.of(backend.address()));
        TestCluster refused = new TestCluster("default/dead:80", List.of(new InetSocketAddress("127.0.0.1", refusedPort)));
        TestCluster mirror = new TestCluster("default/mirror:80", List.of(mirrorBackend.address()));
        TestCluster empty = new TestCluster("default/empty:80", List.of());
        stuckMirror = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        TestCluster stuck = new TestCluster("default/stuck:80",
                List.of(new InetSocketAddress("127.0.0.1", stuckMirror.getLocalPort())));
        HttpFilter stuckMirrorFilter = new HttpFilter() {
            @Override
            public FilterResult onRequest(HttpExchange exchange) {
                exchange.addMirror(stuck);
                return FilterResult.CONTINUE;
            }
        };
        HttpFilter mirrorFilter = new HttpFilter() {
            @Override
            public FilterResult onRequest(HttpExchange exchange) {
                exchange.addMirror(mirror);
                return FilterResult.CONTINUE;
            }
        };
        HttpFilter deny = new HttpFilter() {
            @Override
            public FilterResult onRequest(HttpExchange exchange) {
                return new FilterResult.Respond(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.UNAUTHORIZED, Unpooled.copiedBuffer("denied", StandardCharsets.UTF_8)));
            }
        };
        HttpFilter suspend = new HttpFilter() {
            @Override
            public FilterResult onRequest(HttpExchange exchange) {
                CompletableFuture<FilterResult> f = new CompletableFuture<>();
                scheduler.schedule(() -> f.complete(FilterResult.CONTINUE), 50, TimeUnit.MILLISECONDS);
                exchange.request().headers().set("x-suspended", "yes");
                return new FilterResult.Suspend(f);
            }

            @Override
            public void onResponse(HttpExchange exchange, HttpResponse response) {
                response.headers().set("x-filtered", "yes");
            }
        };
        TestRouter router = new TestRouter()
                .pathPrefix("/refused", TestRoute.to(refused))
                .pathPrefix("/slow", new TestRoute("slow", List.of(), new Backend(main, List.of(), null),
                        new TimeoutSpec(null, Duration.ofMillis(300))))
                .pathPrefix("/mirror-stuck", new TestRoute("ms", List.of(stuckMirrorFilter),
                        new Backend(main, List.of(), null), TimeoutSpec.NONE))
                .pathPrefix("/mirror", new TestRoute("m", List.of(mirrorFilter), new Backend(main, List.of(), null),
                        TimeoutSpec.NONE))
                .pathPrefix("/deny", new TestRoute("d", List.of(deny), new Backend(main, List.of(), null), TimeoutSpec.NONE))
                .pathPrefix("/suspend", new TestRoute("s", List.of(suspend), new Backend(main, List.of(), null),
                        TimeoutSpec.NONE))
                .pathPrefix("/empty", TestRoute.to(empty))
                .pathPrefix("/sse-timeout", new TestRoute("t", List.of(), new Backend(main, List.of(), null),
                        new TimeoutSpec(Duration.ofMillis(3000), null)))
                .pathPrefix("/invalid", new TestRoute("i", List.of(), new Backend(null, List.of(), "Service default/nope not found"),
                        TimeoutSpec.NONE))
                .when(ex -> !ex.path().startsWith("/nowhere"), TestRoute.to(main));
        // a 30 s backend response deadline: the 200 MiB upload must reach the backend before it answers, which took
        // over 5 s on a busy machine; the timeout tests set their own route timeouts
        ServerOptions options = new ServerOptions("127.0.0.1", 2, Duration.ofSeconds(2), Duration.ofSeconds(20),
                Duration.ofSeconds(1), Duration.ofSeconds(30), 16 * 1024, 4096);
        gateway = new GatewayServer(options);
        gateway.apply(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(port, router)));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        backend.close();
        mirrorBackend.close();
        scheduler.shutdownNow();
        try {
            stuckMirror.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    // ------------------------------------------------------------------ curl

    @Test
    void curlHttp11KeepAliveAndForwardedHeaders() throws Exception {
        String out = curl("-v", url("/a?x=1"), url("/b"));
        assertThat(out).contains("uri=/a?x=1").contains("uri=/b")
                .contains("h:x-forwarded-for=127.0.0.1")
                .contains("h:x-forwarded-proto=http")
                .contains("h:x-forwarded-host=127.0.0.1:" + port)
                .contains("h:forwarded=for=127.0.0.1;host=\"127.0.0.1:" + port + "\";proto=http")
                .contains("Re-using existing connection");
    }

    @Test
    void curlAppendsToExistingForwardedFor() throws Exception {
        String out = curl("-H", "X-Forwarded-For: 10.1.1.1", "-H", "Connection: keep-alive, X-Drop-Me",
                "-H", "X-Drop-Me: secret", "-H", "Keep-Alive: timeout=5", url("/xff"));
        assertThat(out).contains("h:x-forwarded-for=10.1.1.1, 127.0.0.1")
                .doesNotContain("x-drop-me").doesNotContain("h:keep-alive").doesNotContain("h:connection=");
    }

    @Test
    void curlHttp2PriorKnowledge() throws Exception {
        // one URL per run: curl 7.88.1 fails to reuse a prior-knowledge connection (error 16) before it
        // sends anything; several streams on one connection are covered by nghttp below
        String out = curl("--http2-prior-knowledge", "-w", "\nproto=%{http_version}", url("/h2?q=1"));
        assertThat(out).contains("uri=/h2?q=1").contains("proto=2")
                .contains("h:host=127.0.0.1:" + port)
                .doesNotContain("x-http2");
    }

    @Test
    void nghttpConcurrentStreamsOnOneConnection() throws Exception {
        Process p = new ProcessBuilder("/usr/bin/nghttp", "-n", "-v", url("/n1"), url("/n2"), url("/n3"))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("stream_id=13").contains("stream_id=15").contains("stream_id=17");
        assertThat(out.split(":status: 200", -1)).hasSize(4);
        assertThat(out).doesNotContain("RST_STREAM");
        // the gateway raises the connection window to 1 MiB right after its SETTINGS
        assertThat(out).contains("recv WINDOW_UPDATE frame <length=4, flags=0x00, stream_id=0>")
                .contains("window_size_increment=983041");
    }

    @Test
    void http2UploadStreamsWithFlowControl() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("gatehouse-h2", ".bin");
        try {
            java.nio.file.Files.write(file, new byte[8 * 1024 * 1024]);
            String out = curl("--http2-prior-knowledge", "--data-binary", "@" + file, url("/h2upload"));
            assertThat(out).contains("method=POST").contains("bytes=" + (8 * 1024 * 1024));
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void curlHttp2Upgrade() throws Exception {
        String out = curl("--http2", "-w", "\nproto=%{http_version}", url("/up"), url("/up2"));
        assertThat(out).contains("uri=/up").contains("uri=/up2").contains("proto=2").doesNotContain("x-http2");
    }

    @Test
    void curlHttp2PostBody() throws Exception {
        String out = curl("--http2-prior-knowledge", "--data-binary", "hello-h2-body", url("/h2post"));
        assertThat(out).contains("method=POST").contains("bytes=13");
    }

    @Test
    void curlExpectContinue() throws Exception {
        String out = curl("-H", "Expect: 100-continue", "--data-binary", "0123456789", url("/expect"));
        assertThat(out).contains("bytes=10").doesNotContain("h:expect");
    }

    @Test
    void chunkedResponseStreamsThrough() throws Exception {
        String out = curl("--raw", url("/chunked"));
        assertThat(out.replaceAll("\\s", "")).contains("chunk0;").contains("chunk1;").contains("chunk2;");
    }

    // ------------------------------------------------------------------ JDK client

    @Test
    void chunkedRequestBodyIsStreamed() throws Exception {
        byte[] data = new byte[300_000];
        var res = client.send(HttpRequest.newBuilder(URI.create(url("/upload")))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(data))).build(),
                BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).contains("bytes=300000").contains("h:transfer-encoding=chunked");
    }

    @Test
    void serverSentEventsArriveOneByOne() throws Exception {
        var res = client.send(HttpRequest.newBuilder(URI.create(url("/sse?gap=500"))).build(), BodyHandlers.ofLines());
        List<Long> arrivals = new ArrayList<>();
        long t0 = System.nanoTime();
        res.body().filter(l -> l.startsWith("data:")).limit(3).forEach(l -> arrivals.add(System.nanoTime() - t0));
        assertThat(arrivals).hasSize(3);
        // the backend sends them 500 ms apart (1 s from first to last); buffered delivery would make them arrive
        // together, and a client slow to read may bunch two of them, but not all three
        assertThat(TimeUnit.NANOSECONDS.toMillis(arrivals.get(2) - arrivals.get(0))).isGreaterThan(500);
    }

    @Test
    void refusedBackendGives502WithReason() throws Exception {
        var res = client.send(HttpRequest.newBuilder(URI.create(url("/refused"))).build(), BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(502);
        assertThat(res.body()).contains("upstream connect error: connection refused (127.0.0.1:" + refusedPort + ")");
        assertThat(res.headers().firstValue("content-length")).isPresent();
    }

    @Test
    void slowBackendGives504() throws Exception {
        long t0 = System.nanoTime();
        var res = client.send(HttpRequest.newBuilder(URI.create(url("/slow"))).build(), BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(504);
        assertThat(res.body()).contains("upstream timeout");
        // the backend answers 200 after 2 s, so the 504 itself proves the route's 300 ms timeout fired first
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(290);
    }

    @Test
    void localErrors() throws Exception {
        var notFound = client.send(HttpRequest.newBuilder(URI.create(url("/nowhere/x"))).build(), BodyHandlers.ofString());
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.body()).contains("no route for host 127.0.0.1 path /nowhere/x");
        var empty = client.send(HttpRequest.newBuilder(URI.create(url("/empty"))).build(), BodyHandlers.ofString());
        assertThat(empty.statusCode()).isEqualTo(503);
        assertThat(empty.body()).contains("no ready endpoints for default/empty:80");
        var invalid = client.send(HttpRequest.newBuilder(URI.create(url("/invalid"))).build(), BodyHandlers.ofString());
        assertThat(invalid.statusCode()).isEqualTo(500);
        assertThat(invalid.body()).contains("backendRef invalid: Service default/nope not found");
        var denied = client.send(HttpRequest.newBuilder(URI.create(url("/deny"))).build(), BodyHandlers.ofString());
        assertThat(denied.statusCode()).isEqualTo(401);
        assertThat(denied.body()).isEqualTo("denied");
    }

    @Test
    void suspendedFilterResumesOnTheLoop() throws Exception {
        var res = client.send(HttpRequest.newBuilder(URI.create(url("/suspend")))
                .POST(HttpRequest.BodyPublishers.ofString("body-during-suspend")).build(), BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).contains("h:x-suspended=yes").contains("bytes=19");
        assertThat(res.headers().firstValue("x-filtered")).hasValue("yes");
    }

    @Test
    void mirrorGetsACopy() throws Exception {
        int before = mirrorBackend.requests.get();
        var res = client.send(HttpRequest.newBuilder(URI.create(url("/mirror/1")))
                .POST(HttpRequest.BodyPublishers.ofString("mirrored")).build(), BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).contains("bytes=8");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (mirrorBackend.requests.get() == before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(mirrorBackend.requests.get()).isGreaterThan(before);
        assertThat(mirrorBackend.seenHeads).contains("POST /mirror/1");
    }

    @Test
    void unwritableMirrorIsDroppedNotWaitedFor() throws Exception {
        long size = 32L * 1024 * 1024;
        CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return stuckMirror.accept(); // accepts, then reads nothing while the upload runs
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        var res = client.send(HttpRequest.newBuilder(URI.create(url("/mirror-stuck/up")))
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(size)), size)).build(),
                BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).contains("bytes=" + size);
        try (Socket mirrorSide = accepted.get(5, TimeUnit.SECONDS)) {
            mirrorSide.setSoTimeout(5000);
            long got = 0;
            try {
                got = mirrorSide.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("the gateway never closed the stuck mirror connection", e);
            } catch (IOException reset) {
                // a reset is as good as a FIN here: the gateway gave up on the copy
            }
            assertThat(got).isLessThan(size);
        }
    }

    @Test
    void webSocketThroughTheProxy() throws Exception {
        List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<String> first = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.add(data.toString());
                        first.complete(data.toString());
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("HELLO");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    @Test
    void largeUploadIsStreamed() throws Exception {
        long size = 200L * 1024 * 1024;
        var res = client.send(HttpRequest.newBuilder(URI.create(url("/big")))
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(size)), size)).build(),
                BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).contains("bytes=" + size);
    }

    @Test
    void headRequestKeepsContentLengthAndConnection() throws Exception {
        String out = curl("-v", "-I", url("/head1"), url("/head2"));
        assertThat(out).contains("HTTP/1.1 200").contains("content-length:").contains("Re-using existing connection");
        assertThat(out.split("HTTP/1.1 200", -1)).hasSize(5); // -v and -I print each status line twice
    }

    @Test
    void wholeRequestDeadlineCutsAStreamingResponse() throws Exception {
        // events at 2, 4 and 6 s, the route's request timeout at 3 s: a second of slack on either side
        long t0 = System.nanoTime();
        var res = client.send(HttpRequest.newBuilder(URI.create(url("/sse-timeout?gap=2000"))).build(),
                BodyHandlers.ofLines());
        assertThat(res.statusCode()).isEqualTo(200);
        List<String> lines = new ArrayList<>();
        try {
            res.body().forEach(lines::add);
        } catch (java.io.UncheckedIOException expected) {
            // the gateway closed the connection mid-response: that is the point
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(ms).isGreaterThanOrEqualTo(2900L);
        assertThat(lines).contains("data: event0").doesNotContain("data: event1");
    }

    @Test
    void slowClientPausesTheBackend() throws Exception {
        long size = 200L * 1024 * 1024;
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /download?bytes=" + size + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(1000); // not reading: the gateway must stop reading the backend
            long writtenWhilePaused = backend.downloadWritten.get();
            assertThat(writtenWhilePaused).isLessThan(48L * 1024 * 1024);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                total += n;
            }
            assertThat(total).isGreaterThan(size);
        }
    }

    @Test
    void backendDyingMidResponseBreaksTheClientConnection() throws Exception {
        // curl gives up after 10 s with "curl: (28)"; a broken connection ends it sooner with 18 or 56
        String out = curl("-w", "\nexit-marker", url("/die-mid"));
        assertThat(out).contains("only-ten!!").containsAnyOf("curl: (18)", "curl: (56)");
        // h2: the stream is reset, the connection survives for the next request
        String h2 = curl("--http2-prior-knowledge", url("/die-mid"));
        assertThat(h2).containsAnyOf("curl: (92)", "curl: (18)", "curl: (56)", "curl: (16)");
    }

    @Test
    void http2LocalAnswerBeforeTheBodyEndsDrainsTheStream() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("gatehouse-h2", ".bin");
        try {
            java.nio.file.Files.write(file, new byte[2 * 1024 * 1024]);
            String out = curl("--http2-prior-knowledge", "-w", "\ncode=%{http_code}", "--data-binary", "@" + file,
                    url("/nowhere/upload"));
            // an undrained stream would stall the upload until curl's own 10 s limit: "curl: (28)"
            assertThat(out).contains("code=404").doesNotContain("curl: (28)");
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void upstreamConnectionsArePooled() throws Exception {
        client.send(HttpRequest.newBuilder(URI.create(url("/warm"))).build(), BodyHandlers.ofString());
        int before = backend.connections.get();
        for (int i = 0; i < 5; i++) {
            var res = client.send(HttpRequest.newBuilder(URI.create(url("/pooled/" + i))).build(), BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
        }
        assertThat(backend.connections.get() - before).isLessThanOrEqualTo(1);
    }

    @Test
    void staleKeepAliveConnectionIsRetriedOnce() throws Exception {
        var first = client.send(HttpRequest.newBuilder(URI.create(url("/mark-drop"))).build(), BodyHandlers.ofString());
        assertThat(first.statusCode()).isEqualTo(200);
        // the pooled connection now closes on its next request, before any response byte
        var second = client.send(HttpRequest.newBuilder(URI.create(url("/after-drop"))).build(), BodyHandlers.ofString());
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).contains("uri=/after-drop");
    }

    // ------------------------------------------------------------------ raw sockets

    @Test
    void pipelinedRequestsAnsweredInOrder() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            String req = "GET /p1 HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /p2 HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "POST /p3 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /p4 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
            s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String all = readAll(s.getInputStream());
            int i1 = all.indexOf("uri=/p1");
            int i2 = all.indexOf("uri=/p2");
            int i3 = all.indexOf("uri=/p3");
            int i4 = all.indexOf("uri=/p4");
            assertThat(i1).isGreaterThanOrEqualTo(0);
            assertThat(i2).isGreaterThan(i1);
            assertThat(i3).isGreaterThan(i2);
            assertThat(i4).isGreaterThan(i3);
            assertThat(all).contains("bytes=3");
        }
    }

    @Test
    void smugglingAttemptGets400AndBackendSeesNothing() throws Exception {
        int before = backend.requests.get();
        String[] attacks = {
            "POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde",
            "POST /s HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            "GET /s HTTP/1.1\r\n\r\n",
        };
        for (String attack : attacks) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(attack.getBytes(StandardCharsets.US_ASCII));
                String all = readAll(s.getInputStream());
                assertThat(all).as(attack).startsWith("HTTP/1.1 400").contains("connection: close");
            }
        }
        assertThat(backend.requests.get()).isEqualTo(before);
    }

    @Test
    void slowHeadIsCutOff() throws Exception {
        long t0 = System.nanoTime(); // before connecting: the 2 s head deadline starts at accept
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            int r = s.getInputStream().read();
            assertThat(r).isEqualTo(-1);
            // the head timeout (2 s), not the 20 s idle timeout; slack for a busy machine
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(1900L, 12_000L);
        }
    }

    // ------------------------------------------------------------------ helpers

    static String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    static int freePort() throws IOException {
        return dev.gatehouse.testing.FreePorts.tcp();
    }

    static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/curl", "-sS", "-m", "10"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }

    static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        try {
            while ((n = in.read(buf)) >= 0) {
                bos.write(buf, 0, n);
            }
        } catch (java.net.SocketTimeoutException e) {
            // return what arrived
        }
        return bos.toString(StandardCharsets.UTF_8);
    }

    /** size zero bytes, without holding them in memory. */
    static final class ZeroStream extends InputStream {
        private long left;

        ZeroStream(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}
