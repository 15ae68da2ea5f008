package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.ClientTrafficSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.proxy.testing.ConcurrencyBackend;
import dev.gatehouse.proxy.testing.RawH2Client;
import dev.gatehouse.proxy.testing.RecordingBackend;
import dev.gatehouse.proxy.testing.TestRouting.TestCluster;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/2 abuse over real sockets, with {@link RawH2Client} writing the frames by hand: each attack must end
 * in the right GOAWAY and a closed connection (or a reset stream), backend concurrency per connection stays
 * at most twice the advertised stream limit, memory stays bounded, and no h2 request reaches the HTTP/1.1
 * backend in a form that could desync it.
 */
class Http2AbuseTest {
    static final long ENHANCE_YOUR_CALM = Http2Error.ENHANCE_YOUR_CALM.code();
    static final long PROTOCOL_ERROR = Http2Error.PROTOCOL_ERROR.code();
    static final int STREAMS = ClientTrafficSpec.DEFAULTS.http2MaxConcurrentStreams();
    static final long MEMORY_GROWTH_LIMIT = 64L * 1024 * 1024;

    static ConcurrencyBackend backend;
    static RecordingBackend recording;
    static GatewayServer gateway;
    static int port;

    @BeforeAll
    static void start() throws IOException {
        backend = new ConcurrencyBackend(3000);
        recording = new RecordingBackend();
        port = freePort();
        TestRouter router = new TestRouter()
                .pathPrefix("/rec", TestRoute.to(new TestCluster("rec", List.of(recording.address()))))
                .when(ex -> true, TestRoute.to(new TestCluster("main", List.of(backend.address()))));
        gateway = new GatewayServer(ServerOptions.defaults().withBindAddress("127.0.0.1").withIoThreads(1));
        PortSpec spec = new PortSpec(port, Protocol.HTTP, List.of(), ClientTrafficSpec.DEFAULTS);
        gateway.apply(new RuntimeSnapshot(new Snapshot(1, List.of(spec), List.of()),
                Map.<Integer, HttpPortRouter>of(port, router)));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
        recording.close();
    }

    @BeforeEach
    void settle() throws InterruptedException {
        awaitIdleBackend();
        backend.resetMax();
        recording.clear();
    }

    @Test
    void rapidResetGetsGoAwayEnhanceYourCalm() throws Exception {
        long before = memory();
        try (RawH2Client c = new RawH2Client(address())) {
            // batches of 50: the requests reach the backend (which holds them 3 s), then the client cancels them
            for (int batch = 0; batch < 40 && !c.isClosed(); batch++) {
                for (int i = 0; i < 50; i++) {
                    c.headers(1 + 2 * (batch * 50 + i), RawH2Client.request("GET", "/hold/rapid"), true);
                }
                c.flush();
                Thread.sleep(150);
                for (int i = 0; i < 50; i++) {
                    c.rst(1 + 2 * (batch * 50 + i), Http2Error.CANCEL.code());
                }
                c.flush();
            }
            c.flush();
            assertThat(c.awaitClose(5000)).as("connection closed").isTrue();
            assertThat(c.goAwayError.get()).isEqualTo(ENHANCE_YOUR_CALM);
        }
        System.out.printf("backend max in flight %d, heap+direct growth %d KiB%n", backend.maxInFlight.get(),
                (memory() - before) / 1024);
        assertThat(backend.maxInFlight.get()).as("backend concurrency").isLessThanOrEqualTo(2 * STREAMS);
        assertMemoryBounded(before);
    }

    @Test
    void madeYouResetGetsGoAwayEnhanceYourCalm() throws Exception {
        long before = memory();
        try (RawH2Client c = new RawH2Client(address())) {
            for (int batch = 0; batch < 40 && !c.isClosed(); batch++) {
                for (int i = 0; i < 50; i++) {
                    c.headers(1 + 2 * (batch * 50 + i), RawH2Client.request("GET", "/hold/myr"), true);
                }
                c.flush();
                Thread.sleep(150);
                // WINDOW_UPDATE with increment 0 is a stream error: WE must reset the stream (CVE-2025-8671)
                for (int i = 0; i < 50; i++) {
                    c.frame(RawH2Client.WINDOW_UPDATE, 0, 1 + 2 * (batch * 50 + i), RawH2Client.int32(0));
                }
                c.flush();
            }
            c.flush();
            assertThat(c.awaitClose(5000)).as("connection closed").isTrue();
            assertThat(c.goAwayError.get()).isEqualTo(ENHANCE_YOUR_CALM);
            // the stream errors we answer are resets with the error's code (PROTOCOL_ERROR for a zero WINDOW_UPDATE,
            // RFC 9113 6.9); the guard stops them at its limit, plus at most the batch already in flight when it fired
            Map<Long, java.util.concurrent.atomic.AtomicInteger> early = c.resetsBeforeGoAway;
            assertThat(early.getOrDefault(Http2Error.PROTOCOL_ERROR.code(),
                    new java.util.concurrent.atomic.AtomicInteger()).get())
                    .as("stream-error resets before the GOAWAY: " + early)
                    .isBetween(1, Http2FloodGuard.MAX_STREAM_ERRORS_PER_WINDOW + 50);
            // on a busy machine the next batch can arrive before the last one's streams have closed: those are
            // refused (REFUSED_STREAM), and a stream whose exchange ended is reset with CANCEL; nothing else
            assertThat(early.keySet()).as("reset codes before the GOAWAY").isSubsetOf(Http2Error.CANCEL.code(),
                    Http2Error.REFUSED_STREAM.code(), Http2Error.PROTOCOL_ERROR.code());
        }
        System.out.printf("backend max in flight %d, heap+direct growth %d KiB%n", backend.maxInFlight.get(),
                (memory() - before) / 1024);
        assertThat(backend.maxInFlight.get()).as("backend concurrency").isLessThanOrEqualTo(2 * STREAMS);
        assertMemoryBounded(before);
    }

    @Test
    void moreStreamsThanAdvertisedAreRefusedAndBackendConcurrencyStaysBounded() throws Exception {
        try (RawH2Client c = new RawH2Client(address())) {
            for (int i = 0; i < STREAMS + 50; i++) {
                // no END_STREAM: each stream holds an upstream request open
                c.headers(1 + 2 * i, RawH2Client.request("POST", "/hold/many"), false);
            }
            c.flush();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (c.resets(Http2Error.REFUSED_STREAM.code()) < 50 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertThat(c.resets(Http2Error.REFUSED_STREAM.code())).isEqualTo(50);
            Thread.sleep(300);
            assertThat(backend.maxInFlight.get()).as("backend concurrency").isLessThanOrEqualTo(STREAMS);
            assertThat(c.isClosed()).isFalse();
        }
        awaitIdleBackend();
        assertThat(backend.inFlight.get()).as("upstreams released when the client left").isZero();
    }

    @Test
    void continuationFloodOfEmptyFramesGetsGoAway() throws Exception {
        try (RawH2Client c = new RawH2Client(address())) {
            byte[] block = RawH2Client.request("GET", "/hold/cont");
            c.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM, 1, block); // no END_HEADERS
            for (int i = 0; i < 10_000 && !c.isClosed(); i++) {
                c.frame(RawH2Client.CONTINUATION, 0, 1, new byte[0]);
                if (i % 100 == 0) {
                    c.flush();
                }
            }
            c.flush();
            assertThat(c.awaitClose(5000)).isTrue();
            assertThat(c.goAwayError.get()).isEqualTo(ENHANCE_YOUR_CALM);
        }
        assertThat(backend.targets).as("never forwarded").doesNotContain("/hold/cont");
    }

    /**
     * Nothing may come between a HEADERS frame and its CONTINUATIONs (RFC 9113 6.10): no DATA of another stream,
     * no PING. So while a header block is incomplete no other stream can make progress; the block's own
     * deadline is {@code SlowClientTest.h2HeaderBlockTrickledBesideAnOpenStreamIsClosedAtTheHeaderTimeout}.
     */
    @Test
    void framesInterleavedIntoAHeaderBlockAreAConnectionError() throws Exception {
        for (int interleaved : new int[] {RawH2Client.DATA, RawH2Client.PING}) {
            try (RawH2Client c = new RawH2Client(address())) {
                c.headers(1, RawH2Client.request("POST", "/interleave", "content-length", "10"), false);
                c.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM, 3, RawH2Client.request("GET", "/interleave-3"));
                if (interleaved == RawH2Client.DATA) {
                    c.frame(RawH2Client.DATA, RawH2Client.END_STREAM, 1, new byte[10]);
                } else {
                    c.frame(RawH2Client.PING, 0, 0, new byte[8]);
                }
                c.flush();
                assertThat(c.awaitClose(5000)).as("closed after frame type %d", interleaved).isTrue();
                assertThat(c.goAwayError.get()).as("frame type %d", interleaved).isEqualTo(PROTOCOL_ERROR);
            }
        }
    }

    @Test
    void emptyDataFrameFloodGetsGoAway() throws Exception {
        try (RawH2Client c = new RawH2Client(address())) {
            c.headers(1, RawH2Client.request("POST", "/hold/empty"), false);
            for (int i = 0; i < 1000 && !c.isClosed(); i++) {
                c.frame(RawH2Client.DATA, 0, 1, new byte[0]);
            }
            c.flush();
            assertThat(c.awaitClose(5000)).isTrue();
            assertThat(c.goAwayError.get()).isEqualTo(ENHANCE_YOUR_CALM);
        }
    }

    @Test
    void hpackBombIsRefusedWithoutForwarding() throws Exception {
        long before = memory();
        try (RawH2Client c = new RawH2Client(address())) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            byte[] base = RawH2Client.request("GET", "/bomb");
            b.write(base, 0, base.length);
            // one 4000-byte field into the dynamic table (literal with incremental indexing)...
            b.write(0x40);
            writeString(b, "x-bomb");
            writeString(b, "v".repeat(4000));
            // ...then referenced 10,000 times: 1 byte each on the wire, 40 MB decoded
            for (int i = 0; i < 10_000; i++) {
                b.write(0x80 | 62);
            }
            byte[] block = b.toByteArray();
            // split across CONTINUATION frames under the 16 KiB default frame size
            int at = 0;
            int frames = 0;
            while (at < block.length) {
                int n = Math.min(16_000, block.length - at);
                byte[] part = java.util.Arrays.copyOfRange(block, at, at + n);
                boolean last = at + n == block.length;
                int type = frames == 0 ? RawH2Client.HEADERS : RawH2Client.CONTINUATION;
                int flags = (frames == 0 ? RawH2Client.END_STREAM : 0) | (last ? RawH2Client.END_HEADERS : 0);
                c.frame(type, flags, 1, part);
                at += n;
                frames++;
            }
            c.flush();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!c.isClosed() && c.resets.get() == 0 && !c.statuses.containsKey(1) && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            System.out.printf("HPACK bomb: GOAWAY %d, resets %s, statuses %s, closed %s%n", c.goAwayError.get(),
                    c.resetsByCode, c.statuses, c.isClosed());
            assertThat(c.isClosed() || c.resets.get() > 0 || "431".equals(c.statuses.get(1)))
                    .as("refused: GOAWAY %s, resets %s, status %s", c.goAwayError.get(), c.resets.get(), c.statuses)
                    .isTrue();
        }
        assertThat(backend.targets).as("never forwarded").doesNotContain("/bomb");
        assertMemoryBounded(before);
    }

    @Test
    void pingFloodGetsGoAwayEnhanceYourCalm() throws Exception {
        try (RawH2Client c = new RawH2Client(address())) {
            for (int i = 0; i < Http2FloodGuard.MAX_PINGS_PER_WINDOW * 3 && !c.isClosed(); i++) {
                c.frame(RawH2Client.PING, 0, 0, new byte[8]);
                if (i % 100 == 0) {
                    c.flush();
                }
            }
            c.flush();
            assertThat(c.awaitClose(5000)).isTrue();
            assertThat(c.goAwayError.get()).isEqualTo(ENHANCE_YOUR_CALM);
            // frames already read in the batch that tripped the guard are still acknowledged
            assertThat(c.pingAcks.get()).isLessThan(2 * Http2FloodGuard.MAX_PINGS_PER_WINDOW);
        }
    }

    @Test
    void settingsFloodGetsGoAwayEnhanceYourCalm() throws Exception {
        try (RawH2Client c = new RawH2Client(address())) {
            for (int i = 0; i < Http2FloodGuard.MAX_SETTINGS_PER_WINDOW * 3 && !c.isClosed(); i++) {
                c.frame(RawH2Client.SETTINGS, 0, 0, new byte[0]);
            }
            c.flush();
            assertThat(c.awaitClose(5000)).isTrue();
            assertThat(c.goAwayError.get()).isEqualTo(ENHANCE_YOUR_CALM);
        }
    }

    @Test
    void downgradeAttacksNeverDesyncTheHttp11Upstream() throws Exception {
        String smuggled = "GET /rec/smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
        byte[] smuggledBytes = smuggled.getBytes(StandardCharsets.US_ASCII);
        // each attack on its own connection: some are connection errors (DATA on a stream Netty refused)
        // 1: transfer-encoding in h2 (connection-specific: malformed)
        refused("te", c -> {
            c.headers(1, RawH2Client.request("POST", "/rec/te", "transfer-encoding", "chunked"), false);
            c.frame(RawH2Client.DATA, RawH2Client.END_STREAM, 1, concat("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII), smuggledBytes));
        });
        // 2: content-length says 0, DATA carries a request
        refused("cl0", c -> {
            c.headers(1, RawH2Client.request("POST", "/rec/cl0", "content-length", "0"), false);
            c.frame(RawH2Client.DATA, RawH2Client.END_STREAM, 1, smuggledBytes);
        });
        // 3: content-length promises more than DATA brings
        refused("cl-long", c -> {
            c.headers(1, RawH2Client.request("POST", "/rec/cl-long", "content-length", "100"), false);
            c.frame(RawH2Client.DATA, RawH2Client.END_STREAM, 1, "short".getBytes(StandardCharsets.US_ASCII));
        });
        // 4: CR LF in a value
        refused("crlf", c -> c.headers(1, RawH2Client.request("GET", "/rec/crlf", "x-a", "a\r\nx-injected: 1"), true));
        // 5: uppercase name
        refused("upper", c -> c.headers(1, RawH2Client.request("GET", "/rec/upper", "X-Upper", "1"), true));
        // 6: a connection-specific header
        refused("conn", c -> c.headers(1, RawH2Client.request("GET", "/rec/conn", "connection", "keep-alive"), true));
        // 7: a space in a name
        refused("space", c -> c.headers(1, RawH2Client.request("GET", "/rec/space", "x a", "1"), true));
        // a second connection: the pooled upstream connections must still be in sync
        try (RawH2Client c = new RawH2Client(address())) {
            for (int i = 0; i < 5; i++) {
                c.headers(1 + 2 * i, RawH2Client.request("GET", "/rec/after-" + i), true);
            }
            c.flush();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (c.statuses.size() < 5 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertThat(c.statuses.values()).containsOnly("200").hasSize(5);
        }
        List<RecordingBackend.Received> seen = recording.requests();
        assertThat(seen).noneMatch(r -> r.target().contains("smuggled"));
        assertThat(seen).noneMatch(r -> r.header("x-injected") != null);
        assertThat(seen).noneMatch(r -> r.path().equals("/rec/te") || r.path().equals("/rec/crlf")
                || r.path().equals("/rec/upper") || r.path().equals("/rec/conn") || r.path().equals("/rec/space"));
        for (RecordingBackend.Received r : seen) {
            // the only tolerated irregularity: a body cut short when the gateway reset the stream and
            // closed that upstream connection (never reused, so nothing can follow it)
            assertThat(r.irregularities()).as(r.toString()).allMatch(s -> s.equals("body shorter than Content-Length"));
        }
        assertThat(seen).anyMatch(r -> r.path().equals("/rec/after-4") && r.regular());
    }

    @Test
    void h2loadNormalLoadSucceeds() throws Exception {
        Path h2load = Path.of("/usr/bin/h2load");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(h2load), "h2load not installed");
        Process p = new ProcessBuilder(h2load.toString(), "-n", "4000", "-c", "4", "-m", "10",
                "http://127.0.0.1:" + port + "/fast").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as(out).contains("4000 succeeded, 0 failed, 0 errored");
        assertThat(backend.maxInFlight.get()).isLessThanOrEqualTo(4 * 10);
    }

    // ------------------------------------------------------------------ helpers

    interface Attack {
        void send(RawH2Client c) throws Exception;
    }

    /** Runs one attack on a fresh connection: stream 1 must be reset or the connection ended, never answered 200. */
    private static void refused(String name, Attack attack) throws Exception {
        refused(address(), name, attack);
    }

    static void refused(InetSocketAddress target, String name, Attack attack) throws Exception {
        try (RawH2Client c = new RawH2Client(target)) {
            attack.send(c);
            c.flush();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // ends at the first reaction
            while (!c.isClosed() && c.resets.get() == 0 && c.goAwayError.get() < 0 && !c.statuses.containsKey(1)
                    && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            Thread.sleep(50);
            assertThat(c.resets.get() > 0 || c.goAwayError.get() >= 0 || c.isClosed()
                    || c.statuses.getOrDefault(1, "").startsWith("4"))
                    .as("%s: resets %s, GOAWAY %s, statuses %s", name, c.resetsByCode, c.goAwayError.get(), c.statuses)
                    .isTrue();
            assertThat(c.statuses.get(1)).as(name).isNotEqualTo("200");
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void writeString(ByteArrayOutputStream b, String s) {
        byte[] v = s.getBytes(StandardCharsets.ISO_8859_1);
        RawH2Client.integer(b, v.length, 7, 0);
        b.write(v, 0, v.length);
    }

    private static InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private static void awaitIdleBackend() throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (backend.inFlight.get() > 0 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
    }

    /** heap in use after a GC + Netty's direct memory counter */
    static long memory() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        long direct = Math.max(0, PlatformDependent.usedDirectMemory());
        return rt.totalMemory() - rt.freeMemory() + direct;
    }

    static void assertMemoryBounded(long before) {
        long growth = memory() - before;
        assertThat(growth).as("heap + direct growth (bytes)").isLessThan(MEMORY_GROWTH_LIMIT);
    }

    static int freePort() throws IOException {
        return dev.gatehouse.testing.FreePorts.tcp();
    }
}
