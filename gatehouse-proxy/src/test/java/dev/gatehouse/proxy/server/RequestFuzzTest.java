package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.FilterSpec;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.routing.filter.DirectResponseFilter;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import dev.gatehouse.proxy.http.ProxyContext;
import dev.gatehouse.routing.route.Backend;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.runtime.SnapshotHolder;
import dev.gatehouse.proxy.testing.TestRouting;
import dev.gatehouse.proxy.testing.TestRouting.TestCluster;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import dev.gatehouse.proxy.upstream.UpstreamPools;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A seeded mutation fuzzer over the HTTP/1.1 request path: valid requests and the attack shapes are mutated
 * byte-wise (flip, insert a delimiter or control byte, duplicate or cut a span, splice two inputs) and fed, in
 * random fragments, through the real {@link FrontendInitializer} pipeline in an {@link EmbeddedChannel}. A request
 * that reaches routing is recorded and answered by a filter (no sockets). Invariants, for every input:
 * nothing escapes as an exception, no buffer leaks (paranoid detection, {@code LeakCheckExtension}), every answer is
 * a well-formed status line, and every routed head is valid: a normal path (normalising it again changes nothing),
 * one Host, no CL with TE, no control characters in any header value.
 *
 * <p>Bounded by time ({@code -Dfuzz.seconds}, default 20) and iterations; the seed is printed, and
 * {@code -Dfuzz.seed=N} replays a run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RequestFuzzTest {
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3}) ");
    private static final byte[] DELIMITERS = {'\r', '\n', ' ', '\t', ':', ';', ',', '/', '.', '%', '\\', 0, '"', '#', '?'};
    static EventLoopGroup group;
    static FrontendInitializer initializer;
    static final List<String> problems = new ArrayList<>();
    static final List<String> routedPaths = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        HttpFilter record = new HttpFilter() {
            @Override
            public FilterResult onRequest(HttpExchange exchange) {
                checkRoutedHead(exchange);
                return FilterResult.CONTINUE;
            }
        };
        DirectResponseFilter answer = DirectResponseFilter.compile(new FilterSpec.DirectResponseSpec(200, List.of(), "ok"));
        TestCluster none = new TestCluster("default/none:80", List.of(new InetSocketAddress("127.0.0.1", 9)));
        TestRouter router = new TestRouter().when(ex -> true,
                new TestRoute("all", List.of(record, answer), new Backend(none, List.of(), null), TimeoutSpec.NONE));
        SnapshotHolder holder = new SnapshotHolder(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(0, router)));
        ProxyContext context = new ProxyContext(holder, new UpstreamPools(group, NioSocketChannel.class,
                Duration.ofSeconds(1)));
        ServerOptions options = new ServerOptions("127.0.0.1", 1, Duration.ofSeconds(10), Duration.ofSeconds(60),
                Duration.ofSeconds(1), Duration.ofSeconds(5), 8 * 1024, 2048);
        initializer = new FrontendInitializer(context, options);
    }

    @AfterAll
    static void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static void checkRoutedHead(HttpExchange ex) {
        String path = ex.path();
        routedPaths.add(path);
        HttpHeaders h = ex.request().headers();
        String uri = ex.request().uri();
        String forwardedPath = uri.indexOf('?') < 0 ? uri : uri.substring(0, uri.indexOf('?'));
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '#' || c == '\\' && i < forwardedPath.length()) {
                problems.add("routed target with byte 0x" + Integer.toHexString(c) + ": " + uri);
            }
        }
        if (!"*".equals(uri) && (forwardedPath.contains("//") || forwardedPath.contains("/./") || forwardedPath.contains("/../")
                || forwardedPath.endsWith("/..") || forwardedPath.endsWith("/.") || forwardedPath.toLowerCase().contains("%2e")
                || forwardedPath.contains("%00") || !forwardedPath.startsWith("/"))) {
            problems.add("routed target not normal: " + uri);
        }
        if (h.getAll(HttpHeaderNames.HOST).size() != 1 && !ex.request().protocolVersion().text().equals("HTTP/1.0")) {
            problems.add("routed with " + h.getAll(HttpHeaderNames.HOST).size() + " Host headers");
        }
        if (h.contains(HttpHeaderNames.CONTENT_LENGTH) && h.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            problems.add("routed with CL and TE");
        }
        if (h.contains("x-original-url") || h.contains("x-rewrite-url")) {
            problems.add("routed with X-Original-URL/X-Rewrite-URL");
        }
        h.forEach(e -> {
            for (int i = 0; i < e.getValue().length(); i++) {
                char c = e.getValue().charAt(i);
                if (c < 0x20 && c != '\t' || c == 0x7f) {
                    problems.add("routed header " + e.getKey() + " with control 0x" + Integer.toHexString(c));
                    break;
                }
            }
        });
    }

    static List<byte[]> seeds() {
        List<String> s = new ArrayList<>(List.of(
                "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
                "GET /api/v1/users?id=1 HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\n\r\n",
                "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
                "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: v\r\n\r\n",
                "GET /x/../%61dmin;p/ HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.3.4\r\nConnection: X-Forwarded-For\r\n\r\n",
                "GET http://a/abs HTTP/1.1\r\nHost: a\r\n\r\n",
                "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: x\r\n\r\n",
                "POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
                "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n",
                "GET /%e2%82%ac//x%2f./y HTTP/1.0\r\n\r\n",
                "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"));
        AttackSeeds.add(s);
        List<byte[]> out = new ArrayList<>();
        for (String x : s) {
            out.add(x.getBytes(StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    @Test
    void mutatedRequestsNeverEscapeLeakOrRouteAnIrregularHead() {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        long seconds = Long.getLong("fuzz.seconds", 20);
        System.out.println("RequestFuzzTest seed " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
        Random random = new Random(seed);
        List<byte[]> corpus = seeds();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int iterations = 0;
        int answered = 0;
        while (System.nanoTime() - end < 0 && iterations < 2_000_000) {
            byte[] input = mutate(corpus, random);
            String out = run(input, random);
            iterations++;
            if (!out.isEmpty()) {
                answered++;
                Matcher m = STATUS_LINE.matcher(out);
                assertThat(m.lookingAt()).as("answer to %s starts with a status line: %s", show(input), show(out)).isTrue();
            }
            assertThat(problems).as("seed %d, input %s", seed, show(input)).isEmpty();
        }
        System.out.println("RequestFuzzTest: " + iterations + " inputs, " + answered + " answered, "
                + routedPaths.size() + " routed");
        assertThat(iterations).isGreaterThan(1000);
    }

    /** Feeds the input in random fragments; returns everything written back. Every buffer is released. */
    private static String run(byte[] input, Random random) {
        EmbeddedChannel ch = new EmbeddedChannel(initializer);
        try {
            int at = 0;
            while (at < input.length && ch.isOpen()) {
                int n = random.nextInt(4) == 0 ? input.length - at : 1 + random.nextInt(input.length - at);
                ch.writeInbound(Unpooled.wrappedBuffer(input, at, n));
                at += n;
            }
            ch.runPendingTasks();
            StringBuilder sb = new StringBuilder();
            Object o;
            while ((o = ch.readOutbound()) != null) {
                if (o instanceof ByteBuf b) {
                    sb.append(b.toString(StandardCharsets.ISO_8859_1));
                }
                io.netty.util.ReferenceCountUtil.release(o);
            }
            String s = sb.toString();
            // an interim 100 Continue may precede the final answer
            return s.startsWith("HTTP/1.1 100 Continue\r\n\r\n") ? s.substring(25) : s;
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static byte[] mutate(List<byte[]> corpus, Random r) {
        byte[] base = corpus.get(r.nextInt(corpus.size())).clone();
        int rounds = 1 + r.nextInt(4);
        for (int k = 0; k < rounds; k++) {
            if (base.length == 0) {
                base = corpus.get(0).clone();
            }
            int pos = r.nextInt(base.length);
            switch (r.nextInt(7)) {
                case 0 -> base[pos] ^= (byte) (1 << r.nextInt(8));
                case 1 -> base = insert(base, pos, new byte[] {DELIMITERS[r.nextInt(DELIMITERS.length)]});
                case 2 -> base = insert(base, pos, ("%" + "0123456789abcdefABCDEF".charAt(r.nextInt(22))
                        + "0123456789abcdefABCDEF".charAt(r.nextInt(22))).getBytes(StandardCharsets.ISO_8859_1));
                case 3 -> {
                    int len = Math.min(base.length - pos, 1 + r.nextInt(16));
                    byte[] span = java.util.Arrays.copyOfRange(base, pos, pos + len);
                    base = insert(base, pos, span);
                }
                case 4 -> {
                    int len = Math.min(base.length - pos, 1 + r.nextInt(8));
                    byte[] cut = new byte[base.length - len];
                    System.arraycopy(base, 0, cut, 0, pos);
                    System.arraycopy(base, pos + len, cut, pos, base.length - pos - len);
                    base = cut;
                }
                case 5 -> {
                    byte[] other = corpus.get(r.nextInt(corpus.size()));
                    int from = r.nextInt(other.length);
                    base = insert(base, pos, java.util.Arrays.copyOfRange(other, from, Math.min(other.length, from + 1 + r.nextInt(40))));
                }
                default -> base[pos] = (byte) r.nextInt(256);
            }
        }
        return base;
    }

    private static byte[] insert(byte[] a, int pos, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, pos);
        System.arraycopy(b, 0, out, pos, b.length);
        System.arraycopy(a, pos, out, pos + b.length, a.length - pos);
        return out;
    }

    private static String show(byte[] b) {
        return show(new String(b, StandardCharsets.ISO_8859_1));
    }

    private static String show(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 300; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c >= 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }

    /** The attack catalogue's raw requests join the corpus (the catalogue lives in another package). */
    static final class AttackSeeds {
        static void add(List<String> corpus) {
            corpus.add("POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG");
            corpus.add("POST /s HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"\r\n0\r\n\r\nGET /x HTTP/1.1\r\n\"\r\n");
            corpus.add("GET /s HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n");
            corpus.add("GET /s%0d%0aX:%20y HTTP/1.1\r\nHost: a\r\n\r\n");
            corpus.add("GET http://b/s HTTP/1.1\r\nHost: a\r\n\r\n");
            corpus.add("GET /x/..;/admin HTTP/1.1\r\nHost: a\r\nX-Original-URL: /admin\r\n\r\n");
        }
    }
}
