package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.ClientTrafficSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.proxy.observe.Observability;
import dev.gatehouse.proxy.observe.metrics.GatewayMetrics;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.proxy.testing.ConcurrencyBackend;
import dev.gatehouse.proxy.testing.RawH2Client;
import dev.gatehouse.proxy.testing.TestRouting.TestCluster;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the h2 codec refuses by itself reaches {@code gatehouse_http2_stream_errors_total{port,reason}} and
 * {@code gatehouse_http2_goaways_total{port,error}}, by exactly the number of errors the client provoked
 * ({@link RawH2Client} writes the frames; the attacks are those of {@link Http2AbuseTest}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Http2ErrorMetricsTest {
    static final int STREAMS = ClientTrafficSpec.DEFAULTS.http2MaxConcurrentStreams();
    static final List<String> REASONS = List.of("refused_stream", "protocol_error", "header_too_large", "other");

    static ConcurrencyBackend backend;
    static GatewayServer gateway;
    static GatewayMetrics metrics;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        backend = new ConcurrencyBackend(3000);
        port = Http2AbuseTest.freePort();
        metrics = new GatewayMetrics();
        TestRouter router = new TestRouter()
                .when(ex -> true, TestRoute.to(new TestCluster("main", List.of(backend.address()))));
        gateway = new GatewayServer(ServerOptions.defaults().withBindAddress("127.0.0.1").withIoThreads(1),
                new Observability(true, true, false, metrics));
        PortSpec spec = new PortSpec(port, Protocol.HTTP, List.of(), ClientTrafficSpec.DEFAULTS);
        gateway.apply(new RuntimeSnapshot(new Snapshot(1, List.of(spec), List.of()),
                Map.<Integer, HttpPortRouter>of(port, router)));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    @Test
    void invalidHeaderNamesAreCountedAsProtocolErrorsOncePerStream() throws Exception {
        Counts before = Counts.now();
        int n = 3;
        try (RawH2Client c = new RawH2Client(address())) {
            for (int i = 0; i < n; i++) {
                c.headers(1 + 2 * i, RawH2Client.request("GET", "/upper/" + i, "X-Upper", "1"), true);
            }
            c.flush();
            awaitResets(c, Http2Error.PROTOCOL_ERROR.code(), n);
            assertThat(c.resets(Http2Error.PROTOCOL_ERROR.code())).isEqualTo(n);
            assertThat(c.isClosed()).as("stream errors, not a connection error").isFalse();
            await().atMost(Duration.ofSeconds(30)).until(() -> Counts.now().minus(before).streamErrors("protocol_error") >= n);
            Thread.sleep(100);
            Counts delta = Counts.now().minus(before);
            assertThat(delta.streamErrors("protocol_error")).isEqualTo(n);
            assertThat(delta.streamErrorsOtherThan("protocol_error")).isZero();
            assertThat(delta.goAways()).isZero();
        }
    }

    @Test
    void streamsOverTheLimitAreCountedAsRefused() throws Exception {
        Counts before = Counts.now();
        int over = 50;
        try (RawH2Client c = new RawH2Client(address())) {
            for (int i = 0; i < STREAMS + over; i++) {
                c.headers(1 + 2 * i, RawH2Client.request("POST", "/hold/many"), false); // held open: no END_STREAM
            }
            c.flush();
            awaitResets(c, Http2Error.REFUSED_STREAM.code(), over);
            assertThat(c.resets(Http2Error.REFUSED_STREAM.code())).isEqualTo(over);
            await().atMost(Duration.ofSeconds(30)).until(() -> Counts.now().minus(before).streamErrors("refused_stream") >= over);
            Thread.sleep(100);
            Counts delta = Counts.now().minus(before);
            assertThat(delta.streamErrors("refused_stream")).isEqualTo(over);
            assertThat(delta.streamErrorsOtherThan("refused_stream")).isZero();
            assertThat(delta.goAways()).isZero();
        }
    }

    @Test
    void aHeaderListOverTheLimitIsAnswered431AndCountedAsTooLarge() throws Exception {
        Counts before = Counts.now();
        int max = ClientTrafficSpec.DEFAULTS.http2MaxHeaderListBytes();
        try (RawH2Client c = new RawH2Client(address())) {
            // over the limit, under Netty's GOAWAY threshold (limit + 1/4): a stream error, not a connection error
            byte[] block = RawH2Client.request("GET", "/big", "x-big", "v".repeat(max));
            int at = 0;
            for (int frames = 0; at < block.length; frames++) {
                int len = Math.min(16_000, block.length - at);
                boolean last = at + len == block.length;
                c.frame(frames == 0 ? RawH2Client.HEADERS : RawH2Client.CONTINUATION,
                        (frames == 0 ? RawH2Client.END_STREAM : 0) | (last ? RawH2Client.END_HEADERS : 0), 1,
                        Arrays.copyOfRange(block, at, at + len));
                at += len;
            }
            c.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> c.statuses.containsKey(1) || c.isClosed());
            assertThat(c.statuses.get(1)).isEqualTo("431");
            await().atMost(Duration.ofSeconds(30)).until(() -> Counts.now().minus(before).streamErrors("header_too_large") >= 1);
            Thread.sleep(100);
            Counts delta = Counts.now().minus(before);
            assertThat(delta.streamErrors("header_too_large")).isEqualTo(1);
            assertThat(delta.streamErrorsOtherThan("header_too_large")).isZero();
            assertThat(delta.goAways()).isZero();
        }
    }

    @Test
    void aPingFloodEndsInOneGoAwayEnhanceYourCalm() throws Exception {
        Counts before = Counts.now();
        try (RawH2Client c = new RawH2Client(address())) {
            for (int i = 0; i < Http2FloodGuard.MAX_PINGS_PER_WINDOW * 3 && !c.isClosed(); i++) {
                c.frame(RawH2Client.PING, 0, 0, new byte[8]);
                if (i % 100 == 0) {
                    c.flush();
                }
            }
            c.flush();
            assertThat(c.awaitClose(5000)).isTrue();
            assertThat(c.goAwayError.get()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Counts.now().minus(before).goAways("enhance_your_calm") >= 1);
        Thread.sleep(100);
        Counts delta = Counts.now().minus(before);
        // our flood guard's GOAWAY; Netty's control-frame limit may add its own ENHANCE_YOUR_CALM when the flood
        // also leaves PING acks unread, depending on timing: never another code, never more than the two
        assertThat(delta.goAways("enhance_your_calm")).isBetween(1.0, 2.0);
        assertThat(delta.goAways()).isEqualTo(delta.goAways("enhance_your_calm"));
        assertThat(delta.streamErrors()).isZero();
    }

    @Test
    void aConnectionErrorIsOneGoAwayWithItsCode() throws Exception {
        Counts before = Counts.now();
        try (RawH2Client c = new RawH2Client(address())) {
            // a PING inside a header block (RFC 9113 6.10): PROTOCOL_ERROR for the connection
            c.headers(1, RawH2Client.request("POST", "/interleave", "content-length", "10"), false);
            c.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM, 3, RawH2Client.request("GET", "/interleave-3"));
            c.frame(RawH2Client.PING, 0, 0, new byte[8]);
            c.flush();
            assertThat(c.awaitClose(5000)).isTrue();
            assertThat(c.goAwayError.get()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Counts.now().minus(before).goAways("protocol_error") >= 1);
        Thread.sleep(100);
        Counts delta = Counts.now().minus(before);
        assertThat(delta.goAways("protocol_error")).isEqualTo(1);
        assertThat(delta.goAways()).isEqualTo(1);
        assertThat(delta.streamErrors()).isZero();
    }

    // ------------------------------------------------------------------ helpers

    private static void awaitResets(RawH2Client c, long code, int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (c.resets(code) < n && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        Thread.sleep(100); // no more may come
    }

    private static InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** The port's h2 stream error and GOAWAY counters at one scrape. */
    record Counts(Map<String, Double> byReason, Map<String, Double> byError) {
        static final List<String> ERRORS = Arrays.stream(Http2Error.values()).map(e -> e.name().toLowerCase(java.util.Locale.ROOT)).toList();

        static Counts now() {
            String text = metrics.scrape();
            Map<String, Double> s = new java.util.HashMap<>();
            for (String r : REASONS) {
                s.put(r, value(text, "gatehouse_http2_stream_errors_total{port=\"" + port + "\",reason=\"" + r + "\"} "));
            }
            Map<String, Double> g = new java.util.HashMap<>();
            for (String e : ERRORS) {
                g.put(e, value(text, "gatehouse_http2_goaways_total{error=\"" + e + "\",port=\"" + port + "\"} "));
            }
            return new Counts(s, g);
        }

        Counts minus(Counts earlier) {
            Map<String, Double> s = new java.util.HashMap<>();
            byReason.forEach((k, v) -> s.put(k, v - earlier.byReason.get(k)));
            Map<String, Double> g = new java.util.HashMap<>();
            byError.forEach((k, v) -> g.put(k, v - earlier.byError.get(k)));
            return new Counts(s, g);
        }

        double streamErrors(String reason) {
            return byReason.get(reason);
        }

        double streamErrors() {
            return byReason.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        double streamErrorsOtherThan(String reason) {
            return streamErrors() - streamErrors(reason);
        }

        double goAways(String error) {
            return byError.get(error);
        }

        double goAways() {
            return byError.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        private static double value(String text, String prefix) {
            return text.lines().filter(l -> l.startsWith(prefix))
                    .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).sum();
        }
    }
}
