package dev.gatehouse.proxy.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.proxy.observe.accesslog.AccessLog;
import dev.gatehouse.proxy.observe.accesslog.AccessLogField;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class AccessLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static RequestLog request(String path, int status, String id) {
        RequestLog log = new RequestLog(1_000_000L, 1_700_000_000_123L, "GET", path, "HTTP/1.1",
                new InetSocketAddress("127.0.0.1", 40000), 8080);
        log.host("shop.example.com");
        log.requestId(id);
        log.status(status);
        log.addResponseBytes(42);
        log.upstreamStart(1_500_000L);
        log.upstreamEnd(3_500_000L);
        log.complete(4_000_000L);
        return log;
    }

    private List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    @Test
    void writesOneJsonObjectPerRequestWithEscapedClientData() throws Exception {
        Path file = dir.resolve("a/access.log");
        try (AccessLog log = AccessLog.toFile(file, AccessLogField.parse("all"), 1.0)) {
            log.onComplete(request("/p?q=\"quoted\"\n\u0001", 200, "id-1"));
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(file) && !Files.readAllLines(file).isEmpty());
        }
        JsonNode n = lines(file).get(0);
        assertThat(n.path("time").asText()).isEqualTo("2023-11-14T22:13:20.123Z");
        assertThat(n.path("request_id").asText()).isEqualTo("id-1");
        assertThat(n.path("client").asText()).isEqualTo("127.0.0.1:40000");
        assertThat(n.path("path").asText()).isEqualTo("/p?q=\"quoted\"\n\u0001");
        assertThat(n.path("status").asInt()).isEqualTo(200);
        assertThat(n.path("bytes_out").asLong()).isEqualTo(42);
        assertThat(n.path("duration_ms").asDouble()).isEqualTo(3.0);
        assertThat(n.path("upstream_ms").asDouble()).isEqualTo(2.0);
        assertThat(n.path("gateway_ms").asDouble()).isEqualTo(1.0);
        assertThat(n.path("route").isNull()).isTrue();
    }

    @Test
    void aLogMovedAwayByLogrotateIsFollowedByANewFileWithoutLosingALine() throws Exception {
        Path file = dir.resolve("rotate/access.log");
        Path rotated = dir.resolve("rotate/access.log.1");
        int sent = 0;
        try (AccessLog log = AccessLog.toFile(file, AccessLogField.parse("request_id"), 1.0)) {
            log.onComplete(request("/", 200, "before"));
            sent++;
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(file) && Files.size(file) > 0);
            Files.move(file, rotated);
            // lines keep coming; within about a second of the move they land in a new file at the path
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!(Files.exists(file) && Files.size(file) > 0) && System.nanoTime() < deadline) {
                log.onComplete(request("/", 200, "after-" + sent));
                sent++;
                Thread.sleep(50);
            }
            assertThat(file).exists();
        }
        List<String> ids = new ArrayList<>();
        for (Path p : List.of(rotated, file)) {
            for (JsonNode n : lines(p)) {
                ids.add(n.path("request_id").asText());
            }
        }
        assertThat(ids).hasSize(sent).doesNotHaveDuplicates().startsWith("before");
        assertThat(lines(file)).isNotEmpty();
    }

    @Test
    void chosenFieldsOnlyAndSamplingKeepsEvery5xx() throws Exception {
        Path file = dir.resolve("sampled.log");
        try (AccessLog log = AccessLog.toFile(file, AccessLogField.parse("request_id,status"), 0.0)) {
            for (int i = 0; i < 50; i++) {
                log.onComplete(request("/", 200, "ok-" + i));
            }
            log.onComplete(request("/", 503, "err"));
        }
        List<JsonNode> all = lines(file);
        assertThat(all).hasSize(1);
        assertThat(all.get(0).fieldNames()).toIterable().containsExactly("request_id", "status");
        assertThat(all.get(0).path("request_id").asText()).isEqualTo("err");
    }

    @Test
    void bytesPastAsciiAndUnicodeAreEscapedSoEveryLineIsValidUtf8Json() throws Exception {
        Path file = dir.resolve("escaped.log");
        // header bytes arrive as ISO-8859-1 chars; a failure text may carry any char
        String path = "/caf\u00c3\u00a9?x=\u00ff\u007f\\";
        RequestLog r = request(path, 502, "id-\u00e9");
        r.failure("upstream said \u2026 \"no\"");
        try (AccessLog log = AccessLog.toFile(file, AccessLogField.parse("all"), 1.0)) {
            log.onComplete(r);
        }
        byte[] raw = Files.readAllBytes(file);
        for (byte b : raw) {
            assertThat(b).as("ASCII only").isBetween((byte) 0x0a, (byte) 0x7e);
        }
        JsonNode n = lines(file).get(0);
        assertThat(n.path("path").asText()).isEqualTo(path);
        assertThat(n.path("request_id").asText()).isEqualTo("id-\u00e9");
        assertThat(n.path("failure").asText()).isEqualTo("upstream said \u2026 \"no\"");
    }

    @Test
    void ipv6ClientsAndManyLinesInBatchesStayWholeLines() throws Exception {
        Path file = dir.resolve("many.log");
        int count = 20_000;
        try (AccessLog log = AccessLog.toFile(file, AccessLogField.parse("all"), 1.0, 64L << 20)) {
            for (int i = 0; i < count; i++) {
                RequestLog r = new RequestLog(1_000_000L, 1_700_000_000_000L + i, "GET", "/n/" + i, "HTTP/2",
                        new InetSocketAddress("::1", 40000 + i % 1000), 8080);
                r.requestId("id-" + i);
                r.status(200);
                r.complete(1_000_000L + i * 1000L);
                log.onComplete(r);
            }
            assertThat(log.dropped()).isZero();
        }
        List<JsonNode> all = lines(file);
        assertThat(all).hasSize(count);
        for (int i = 0; i < count; i += 997) {
            assertThat(all.get(i).path("path").asText()).isEqualTo("/n/" + i);
            assertThat(all.get(i).path("client").asText()).isEqualTo("0:0:0:0:0:0:0:1:" + (40000 + i % 1000));
            assertThat(all.get(i).path("duration_ms").asDouble()).isEqualTo(i / 1000.0);
        }
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        Path file = dir.resolve("full.log");
        int sent = 50_000;
        try (AccessLog log = AccessLog.toFile(file, AccessLogField.parse("all"), 1.0, 64 * 1024)) {
            for (int i = 0; i < sent; i++) {
                log.onComplete(request("/d/" + i, 200, "d-" + i));
            }
            long dropped = log.dropped();
            assertThat(dropped).isPositive();
            log.close();
            assertThat(lines(file).size() + dropped).isEqualTo(sent);
        }
    }

    @Test
    void linesFormattedOnAnEventLoopReachTheFileSoonAndCloseFlushesWhatLoopsStillHold() throws Exception {
        Path file = dir.resolve("loops.log");
        EventLoopGroup live = new DefaultEventLoopGroup(1);
        EventLoopGroup stopped = new DefaultEventLoopGroup(1);
        try {
            AccessLog log = AccessLog.toFile(file, AccessLogField.parse("all"), 1.0);
            for (int i = 0; i < 3; i++) {
                RequestLog r = request("/soon/" + i, 200, "s-" + i);
                live.submit(() -> log.onComplete(r)).sync();
            }
            // a quiet loop hands its partial chunk over on a timer, not when the next line comes
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file) && Files.readAllLines(file).size() == 3);

            for (int i = 0; i < 2; i++) {
                RequestLog r = request("/live/" + i, 200, "l-" + i);
                live.submit(() -> log.onComplete(r)).sync();
                RequestLog t = request("/stopped/" + i, 200, "t-" + i);
                stopped.submit(() -> log.onComplete(t)).sync();
            }
            stopped.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
            log.close(); // right away: both loops still hold their lines
            RequestLog late = request("/late", 200, "late");
            live.submit(() -> log.onComplete(late)).sync();
            assertThat(log.dropped()).isEqualTo(1);
        } finally {
            live.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
        List<String> paths = lines(file).stream().map(n -> n.path("path").asText()).toList();
        assertThat(paths).containsExactlyInAnyOrder("/soon/0", "/soon/1", "/soon/2", "/live/0", "/live/1",
                "/stopped/0", "/stopped/1");
    }

    @Test
    void manyLoopsAtOnceLoseNoLineAndKeepEachLoopsOrder() throws Exception {
        Path file = dir.resolve("busy.log");
        int loops = 4;
        int perLoop = 5_000;
        EventLoopGroup group = new DefaultEventLoopGroup(loops);
        try (AccessLog log = AccessLog.toFile(file, AccessLogField.parse("path,status"), 1.0, 64L << 20)) {
            List<Future<?>> done = new ArrayList<>();
            for (int l = 0; l < loops; l++) {
                int loop = l;
                EventLoop el = group.next();
                done.add(el.submit(() -> {
                    for (int i = 0; i < perLoop; i++) {
                        log.onComplete(request("/" + loop + "/" + i, 200, "x"));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.sync();
            }
            log.close();
            assertThat(log.dropped()).isZero();
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
        int[] next = new int[loops];
        for (JsonNode n : lines(file)) {
            String[] p = n.path("path").asText().split("/");
            int loop = Integer.parseInt(p[1]);
            assertThat(Integer.parseInt(p[2])).as("loop %d in order", loop).isEqualTo(next[loop]++);
        }
        assertThat(next).containsOnly(perLoop);
    }

    @Test
    void unknownFieldsAndRatiosAreRefused() {
        assertThatThrownBy(() -> AccessLogField.parse("time,bogus")).hasMessageContaining("bogus").hasMessageContaining("request_id");
        assertThatThrownBy(() -> AccessLog.toFile(dir.resolve("x"), AccessLogField.parse(null), 1.5))
                .hasMessageContaining("0.0..1.0");
    }
}
