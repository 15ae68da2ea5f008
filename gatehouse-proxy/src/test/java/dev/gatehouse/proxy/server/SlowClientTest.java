package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.ClientTrafficSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.proxy.testing.RawH2Client;
import dev.gatehouse.proxy.testing.TestBackend;
import dev.gatehouse.proxy.testing.TestRouting.TestCluster;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slow and greedy clients over real sockets, with short per-port limits from {@link ClientTrafficSpec}
 * (the same record a ClientTrafficPolicy becomes): slowloris heads and idle keep-alive connections are
 * closed at the header timeout, stalled and trickled bodies are cut, too many header fields get 431,
 * and 1,000 half-open connections leave normal requests answered, while they wait, with bounded memory.
 * Two ports with different policies prove the limits are per port.
 *
 * <p>Timing: each check says which deadline closed the connection, so a close must come no earlier than that
 * deadline (clocks start before the request is sent, so the server's deadline can only start later) and no later
 * than {@link #LATE_MILLIS} after it: generous for a busy 2-core machine, yet short of the 30 s idle timeout and
 * of Netty's own limits, the other things that would close these connections.
 */
class SlowClientTest {
    /** 1 s head and body idle, 1000 B/s minimum body rate, 50 header fields */
    static final ClientTrafficSpec STRICT = new ClientTrafficSpec(Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(15), 64 * 1024, 50, 16 * 1024, 100,
            64 * 1024, 1000);
    /** 2 s total body deadline, no minimum rate, 10 s head (the half-open test's connections wait that long) */
    static final ClientTrafficSpec TOTAL = new ClientTrafficSpec(Duration.ofSeconds(10), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(15), 64 * 1024, 1000, 16 * 1024, 100,
            64 * 1024, 0);
    /** how long after its deadline a close still counts (see the class comment) */
    static final long LATE_MILLIS = 5000;
    /** how much earlier than due a deadline may seem to fire: timer granularity only */
    static final long EARLY_MILLIS = 100;

    static TestBackend backend;
    static GatewayServer gateway;
    static int strictPort;
    static int totalPort;

    @BeforeAll
    static void start() throws IOException {
        backend = new TestBackend();
        strictPort = Http2AbuseTest.freePort();
        totalPort = Http2AbuseTest.freePort();
        TestRouter router = new TestRouter().when(ex -> true, TestRoute.to(new TestCluster("b", List.of(backend.address()))));
        gateway = new GatewayServer(ServerOptions.defaults().withBindAddress("127.0.0.1").withIoThreads(1));
        gateway.apply(new RuntimeSnapshot(new Snapshot(1, List.of(
                new PortSpec(strictPort, Protocol.HTTP, List.of(), STRICT),
                new PortSpec(totalPort, Protocol.HTTP, List.of(), TOTAL)), List.of()),
                Map.<Integer, HttpPortRouter>of(strictPort, router, totalPort, router)));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    @Test
    void slowlorisHeadIsClosedWithinTheHeaderTimeout() throws Exception {
        long t0 = System.nanoTime(); // before connecting: the head deadline starts at accept
        try (Socket s = connect(strictPort)) {
            write(s, "GET / HTTP/1.1\r\nHost: a\r\n");
            // one header line every 100 ms: traffic must not extend the deadline
            long closedAfter = trickleUntilClosed(s, "X-Slow: loris\r\n", 100, 1000 + LATE_MILLIS);
            assertClosedAtDeadline(closedAfter - t0, 1000);
        }
    }

    @Test
    void idleKeepAliveConnectionIsClosedWithinTheHeaderTimeout() throws Exception {
        try (Socket s = connect(strictPort)) {
            long t0 = System.nanoTime(); // the next head's deadline starts once the response is sent, after this
            write(s, "GET /idle HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(readResponse(s)).startsWith("HTTP/1.1 200");
            s.setSoTimeout((int) (2 * LATE_MILLIS));
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertClosedAtDeadline(System.nanoTime() - t0, 1000);
        }
    }

    @Test
    void stalledBodyIsCutAfterTheBodyIdleTimeout() throws Exception {
        try (Socket s = connect(strictPort)) {
            write(s, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(2000));
            long t0 = System.nanoTime(); // written, so the gateway reads the last byte after this
            s.setSoTimeout((int) (2 * LATE_MILLIS));
            InputStream in = s.getInputStream();
            assertThat(in.read()).as("closed without an answer").isEqualTo(-1);
            assertClosedAtDeadline(System.nanoTime() - t0, 1000);
        }
    }

    @Test
    void trickledBodyBelowTheMinimumRateIsCut() throws Exception {
        try (Socket s = connect(strictPort)) {
            long t0 = System.nanoTime();
            write(s, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n");
            // 50 bytes every 200 ms = 250 B/s: never silent for the 1 s idle timeout, but under 1000 B/s
            long closedAfter = trickleUntilClosed(s, "y".repeat(50), 200, 1000 + 2 * LATE_MILLIS);
            assertClosedAtDeadline(closedAfter - t0, 1000); // the rate is judged after a grace of bodyIdle
        }
    }

    @Test
    void trickledBodyIsCutAtTheTotalDeadline() throws Exception {
        try (Socket s = connect(totalPort)) {
            long t0 = System.nanoTime();
            write(s, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n");
            long closedAfter = trickleUntilClosed(s, "y".repeat(50), 200, 2000 + 2 * LATE_MILLIS);
            assertClosedAtDeadline(closedAfter - t0, 2000);
        }
    }

    @Test
    void fastUploadIsNotCut() throws Exception {
        try (Socket s = connect(strictPort)) {
            int size = 16 * 1024 * 1024 + 1; // "16 MiB and more stream"
            write(s, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: " + size + "\r\n\r\n");
            byte[] chunk = new byte[64 * 1024];
            OutputStream out = s.getOutputStream();
            int sent = 0;
            while (sent < size) {
                int n = Math.min(chunk.length, size - sent);
                out.write(chunk, 0, n);
                sent += n;
            }
            out.flush();
            assertThat(readResponse(s)).startsWith("HTTP/1.1 200").contains("bytes=" + size);
        }
    }

    @Test
    void tooManyHeaderFieldsGet431() throws Exception {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            many.append("X-F").append(i).append(": v\r\n");
        }
        try (Socket s = connect(strictPort)) {
            write(s, "GET / HTTP/1.1\r\nHost: a\r\n" + many + "\r\n");
            assertThat(readResponse(s)).startsWith("HTTP/1.1 431");
        }
        try (Socket s = connect(totalPort)) { // 1000 fields allowed on this port
            write(s, "GET / HTTP/1.1\r\nHost: a\r\n" + many + "\r\n");
            assertThat(readResponse(s)).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void thousandHalfOpenConnectionsLeaveNormalRequestsServedAndMemoryBounded() throws Exception {
        long before = Http2AbuseTest.memory();
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                Socket s = connect(totalPort);
                write(s, "GET /half-open HTTP/1.1\r\nHost: a\r\n"); // head never finished
                idle.add(s);
            }
            long worst = 0;
            for (int i = 0; i < 20; i++) {
                long t0 = System.nanoTime();
                try (Socket s = connect(totalPort)) {
                    write(s, "GET /normal HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
                    assertThat(readResponse(s)).startsWith("HTTP/1.1 200");
                }
                worst = Math.max(worst, System.nanoTime() - t0);
            }
            // served while the half-open connections wait, not after the gateway gave up on them: the oldest is
            // still open (how fast is the bench's business; the time is printed)
            assertThat(stillOpen(idle.get(0))).as("the first half-open connection is still open").isTrue();
            System.out.printf("1000 half-open: slowest normal request %d ms, heap+direct growth %d KiB%n",
                    TimeUnit.NANOSECONDS.toMillis(worst), (Http2AbuseTest.memory() - before) / 1024);
            Http2AbuseTest.assertMemoryBounded(before);
            // and the gateway closes them all at the header timeout (10 s on this port)
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10_000 + 2 * LATE_MILLIS);
            int closed = 0;
            for (Socket s : idle) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                s.setSoTimeout((int) Math.max(1, left));
                try {
                    if (s.getInputStream().read() == -1) {
                        closed++;
                    }
                } catch (SocketTimeoutException e) {
                    break;
                } catch (IOException e) {
                    closed++; // reset counts as closed
                }
            }
            assertThat(closed).isEqualTo(1000);
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    void idleH2ConnectionGetsGoAwayAtTheHeaderTimeout() throws Exception {
        try (dev.gatehouse.proxy.testing.RawH2Client c = new dev.gatehouse.proxy.testing.RawH2Client(
                new InetSocketAddress("127.0.0.1", strictPort))) {
            long t0 = System.nanoTime(); // the deadline starts when the stream ends, after this
            c.headers(1, dev.gatehouse.proxy.testing.RawH2Client.request("GET", "/first"), true);
            c.flush();
            awaitStatus(c, 1);
            assertThat(c.statuses.get(1)).isEqualTo("200");
            assertThat(c.awaitClose(2 * LATE_MILLIS)).as("closed").isTrue();
            assertClosedAtDeadline(System.nanoTime() - t0, 1000);
            assertThat(c.goAwayError.get()).as("GOAWAY(NO_ERROR) first").isZero();
        }
    }

    @Test
    void h2HeaderBlockTrickledInContinuationFramesIsClosedAtTheHeaderTimeout() throws Exception {
        try (dev.gatehouse.proxy.testing.RawH2Client c = new dev.gatehouse.proxy.testing.RawH2Client(
                new InetSocketAddress("127.0.0.1", strictPort))) {
            String[] fields = new String[40];
            for (int i = 0; i < fields.length; i += 2) {
                fields[i] = "x-slow-" + i;
                fields[i + 1] = "v".repeat(40);
            }
            byte[] block = dev.gatehouse.proxy.testing.RawH2Client.request("GET", "/slow-h2", fields);
            long t0 = System.nanoTime();
            c.frame(dev.gatehouse.proxy.testing.RawH2Client.HEADERS, dev.gatehouse.proxy.testing.RawH2Client.END_STREAM, 1,
                    java.util.Arrays.copyOfRange(block, 0, 40));
            c.flush();
            // 40 bytes of header block every 100 ms: never silent, never complete within the deadline
            for (int at = 40; at + 40 < block.length && !c.isClosed(); at += 40) {
                c.frame(dev.gatehouse.proxy.testing.RawH2Client.CONTINUATION, 0, 1,
                        java.util.Arrays.copyOfRange(block, at, at + 40));
                c.flush();
                Thread.sleep(100);
            }
            assertThat(c.awaitClose(2 * LATE_MILLIS)).as("closed").isTrue();
            assertClosedAtDeadline(System.nanoTime() - t0, 1000);
            assertThat(c.goAwayError.get()).as("GOAWAY").isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
        }
    }

    @Test
    void stalledH2BodyResetsTheStreamOnly() throws Exception {
        try (dev.gatehouse.proxy.testing.RawH2Client c = new dev.gatehouse.proxy.testing.RawH2Client(
                new InetSocketAddress("127.0.0.1", strictPort))) {
            c.headers(1, dev.gatehouse.proxy.testing.RawH2Client.request("POST", "/upload", "content-length", "100000"), false);
            c.frame(dev.gatehouse.proxy.testing.RawH2Client.DATA, 0, 1, new byte[2000]);
            c.flush();
            long t0 = System.nanoTime();
            long end = t0 + TimeUnit.MILLISECONDS.toNanos(1000 + 2 * LATE_MILLIS);
            while (c.resets.get() == 0 && !c.isClosed() && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertThat(c.resets.get()).as("stream reset").isEqualTo(1);
            assertClosedAtDeadline(System.nanoTime() - t0, 1000);
            // the connection survives: another stream still works
            c.headers(3, dev.gatehouse.proxy.testing.RawH2Client.request("GET", "/after"), true);
            c.flush();
            awaitStatus(c, 3);
            assertThat(c.statuses.get(3)).isEqualTo("200");
        }
    }

    /**
     * The h2 slowloris with company: stream 1 stays open (a large download the client never grants window
     * for), so the connection is never "without streams", while stream 3's header block is trickled in small
     * CONTINUATION frames. The header deadline runs from the HEADERS frame: GOAWAY(ENHANCE_YOUR_CALM) at ~1 s,
     * before Netty's 16-small-CONTINUATION limit (8 s at this pace; hence 1 s + LATE_MILLIS stays under it) or the
     * 30 s idle timeout.
     */
    @Test
    void h2HeaderBlockTrickledBesideAnOpenStreamIsClosedAtTheHeaderTimeout() throws Exception {
        try (RawH2Client c = new RawH2Client(new InetSocketAddress("127.0.0.1", strictPort))) {
            c.headers(1, RawH2Client.request("GET", "/download?size=100000000"), true);
            c.flush();
            awaitStatus(c, 1);
            assertThat(c.statuses.get(1)).isEqualTo("200");
            long elapsed = trickleStream3UntilClosed(c, "/slow-h2-beside");
            System.out.printf("h2 header block trickled beside an open stream: closed after %d ms, GOAWAY %d%n",
                    TimeUnit.NANOSECONDS.toMillis(elapsed), c.goAwayError.get());
            assertClosedAtDeadline(elapsed, 1000);
            assertThat(c.goAwayError.get()).as("GOAWAY").isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
            assertThat(c.statuses).doesNotContainKey(3);
        }
    }

    /** The same over h2c by {@code Upgrade: h2c}: the upgraded request (stream 1) stays open, stream 3 trickles. */
    @Test
    void h2cUpgradeHeaderBlockTrickledBesideTheUpgradedStreamIsClosedAtTheHeaderTimeout() throws Exception {
        try (RawH2Client c = RawH2Client.upgrade(new InetSocketAddress("127.0.0.1", strictPort), "/download?size=100000000")) {
            awaitStatus(c, 1);
            assertThat(c.statuses.get(1)).isEqualTo("200");
            long elapsed = trickleStream3UntilClosed(c, "/slow-h2c-beside");
            assertClosedAtDeadline(elapsed, 1000);
            assertThat(c.goAwayError.get()).as("GOAWAY").isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
        }
    }

    /**
     * Sends stream 3's header block as a HEADERS frame without END_HEADERS, then 40 bytes of CONTINUATION every
     * 500 ms (for up to 10 s) until the gateway closes the connection.
     *
     * @return nanoseconds from the HEADERS frame to the close
     */
    private long trickleStream3UntilClosed(RawH2Client c, String path) throws Exception {
        byte[] block = RawH2Client.request("GET", path, trickledFields());
        long t0 = System.nanoTime();
        c.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM, 3, Arrays.copyOfRange(block, 0, 40));
        c.flush();
        for (int at = 40; at + 40 < block.length && !c.isClosed()
                && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10); at += 40) {
            Thread.sleep(500);
            c.frame(RawH2Client.CONTINUATION, 0, 3, Arrays.copyOfRange(block, at, at + 40));
            c.flush();
        }
        assertThat(c.awaitClose(3000)).as("closed").isTrue();
        return System.nanoTime() - t0;
    }

    /** A header block that completes in time on a busy connection is served; the deadline is per block. */
    @Test
    void h2HeaderBlocksInSeveralFramesBesideAnOpenStreamAreServed() throws Exception {
        try (RawH2Client c = new RawH2Client(new InetSocketAddress("127.0.0.1", strictPort))) {
            c.headers(1, RawH2Client.request("GET", "/download?size=100000000"), true);
            c.flush();
            awaitStatus(c, 1);
            // 5 header blocks, each in 3 frames 150 ms apart (0.3 s per block, so a late sleep still leaves it
            // within the 1 s timeout; with the round trips, more than 1 s in all)
            for (int i = 0; i < 5; i++) {
                int stream = 3 + 2 * i;
                byte[] block = RawH2Client.request("GET", "/split-" + i);
                int third = block.length / 3;
                c.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM, stream, Arrays.copyOfRange(block, 0, third));
                c.flush();
                Thread.sleep(150);
                c.frame(RawH2Client.CONTINUATION, 0, stream, Arrays.copyOfRange(block, third, 2 * third));
                c.flush();
                Thread.sleep(150);
                c.frame(RawH2Client.CONTINUATION, RawH2Client.END_HEADERS, stream,
                        Arrays.copyOfRange(block, 2 * third, block.length));
                c.flush();
                awaitStatus(c, stream);
                assertThat(c.statuses.get(stream)).as("stream " + stream).isEqualTo("200");
            }
            assertThat(c.isClosed()).isFalse();
            assertThat(c.goAwayError.get()).isEqualTo(-1);
        }
    }

    /** A stalled body on one stream is reset at the body-idle timeout while other streams keep the connection busy. */
    @Test
    void stalledH2BodyIsResetWhileOtherStreamsKeepTheConnectionBusy() throws Exception {
        try (RawH2Client c = new RawH2Client(new InetSocketAddress("127.0.0.1", strictPort))) {
            c.headers(1, RawH2Client.request("POST", "/upload", "content-length", "100000"), false);
            c.frame(RawH2Client.DATA, 0, 1, new byte[2000]);
            c.flush();
            long t0 = System.nanoTime();
            int stream = 3;
            // a complete request (and a PING) every 150 ms on other streams: the connection is never idle
            while (!c.resetStreams.containsKey(1) && !c.isClosed()
                    && System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(1000 + 2 * LATE_MILLIS)) {
                c.headers(stream, RawH2Client.request("GET", "/busy-" + stream), true);
                c.frame(RawH2Client.PING, 0, 0, new byte[8]);
                c.flush();
                stream += 2;
                Thread.sleep(150);
            }
            long elapsed = System.nanoTime() - t0;
            assertThat(c.resetStreams).as("stream 1 reset").containsKey(1);
            System.out.printf("stalled h2 body beside busy streams: reset after %d ms (code %d)%n",
                    TimeUnit.NANOSECONDS.toMillis(elapsed), c.resetStreams.get(1));
            assertClosedAtDeadline(elapsed, 1000);
            // the other streams were served and the connection survives
            c.headers(stream, RawH2Client.request("GET", "/after"), true);
            c.flush();
            awaitStatus(c, stream);
            for (int s = 3; s <= stream; s += 2) {
                awaitStatus(c, s);
                assertThat(c.statuses.get(s)).as("stream " + s).isEqualTo("200");
            }
            assertThat(c.resetStreams).as("only stream 1 reset").containsOnlyKeys(1);
            assertThat(c.isClosed()).isFalse();
        }
    }

    /** PINGs (well below the flood limit) are not requests: a connection opening no stream is closed at the header timeout. */
    @Test
    void h2ConnectionThatOnlyPingsIsClosedAtTheHeaderTimeout() throws Exception {
        long t0 = System.nanoTime(); // before connecting: the deadline starts at accept
        try (RawH2Client c = new RawH2Client(new InetSocketAddress("127.0.0.1", strictPort))) {
            while (!c.isClosed() && System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(1000 + 2 * LATE_MILLIS)) {
                c.frame(RawH2Client.PING, 0, 0, new byte[8]);
                c.flush();
                Thread.sleep(250);
            }
            assertThat(c.awaitClose(1000)).as("closed").isTrue();
            assertClosedAtDeadline(System.nanoTime() - t0, 1000);
            assertThat(c.pingAcks.get()).as("PINGs were answered").isPositive();
            assertThat(c.goAwayError.get()).as("GOAWAY(NO_ERROR)").isZero();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The close came from the deadline due {@code dueMillis} after the clock started (see the class comment). */
    static void assertClosedAtDeadline(long elapsedNanos, long dueMillis) {
        assertThat(TimeUnit.NANOSECONDS.toMillis(elapsedNanos)).as("closed after (ms), deadline %d ms", dueMillis)
                .isBetween(dueMillis - EARLY_MILLIS, dueMillis + LATE_MILLIS);
    }

    /** Whether the gateway has neither closed nor answered this connection yet. */
    static boolean stillOpen(Socket s) throws IOException {
        s.setSoTimeout(1);
        try {
            s.getInputStream().read();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String[] trickledFields() {
        String[] fields = new String[40];
        for (int i = 0; i < fields.length; i += 2) {
            fields[i] = "x-slow-" + i;
            fields[i + 1] = "v".repeat(40);
        }
        return fields;
    }

    static void awaitStatus(RawH2Client c, int stream) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.statuses.containsKey(stream) && !c.isClosed() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
    }


    static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(5000);
        return s;
    }

    static void write(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Writes {@code piece} every {@code everyMillis} until the gateway closes; @return when it was seen closed */
    static long trickleUntilClosed(Socket s, String piece, long everyMillis, long maxMillis) throws Exception {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        s.setSoTimeout((int) everyMillis);
        InputStream in = s.getInputStream();
        while (System.nanoTime() < end) {
            try {
                write(s, piece);
            } catch (IOException e) {
                return System.nanoTime();
            }
            try {
                if (in.read() == -1) {
                    return System.nanoTime();
                }
            } catch (SocketTimeoutException e) {
                // still open
            } catch (IOException e) {
                return System.nanoTime();
            }
        }
        throw new AssertionError("connection still open after " + maxMillis + " ms");
    }

    /** Reads one response with a Content-Length body. */
    static String readResponse(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') && (matched % 2 == 0) == (b == '\r') ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return h + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }
}
