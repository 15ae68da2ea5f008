package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.http.ProxyContext;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.runtime.SnapshotHolder;
import dev.gatehouse.proxy.testing.TestRouting;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import dev.gatehouse.proxy.upstream.UpstreamPools;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The full frontend pipeline ({@link FrontendInitializer}) in an {@link EmbeddedChannel}: malformed and
 * ambiguous (smuggling) request heads are answered with 4xx, the connection is closed and the router
 * never sees them (so nothing can be forwarded).
 */
class RequestRejectionTest {
    static EventLoopGroup group;
    static TestRouter router;
    static FrontendInitializer initializer;

    @BeforeAll
    static void setUp() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        router = new TestRouter();
        SnapshotHolder holder = new SnapshotHolder(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(0, router)));
        ProxyContext context = new ProxyContext(holder, new UpstreamPools(group, NioSocketChannel.class,
                Duration.ofSeconds(1)));
        ServerOptions options = new ServerOptions("127.0.0.1", 1, Duration.ofSeconds(10), Duration.ofSeconds(60),
                Duration.ofSeconds(1), Duration.ofSeconds(5), 1024, 256);
        initializer = new FrontendInitializer(context, options);
    }

    @AfterAll
    static void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static Stream<Arguments> malformed() {
        String longUri = "/" + "a".repeat(400);
        String bigHeader = "X-Big: " + "b".repeat(1200) + "\r\n";
        return Stream.of(
                Arguments.of("TE and CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("CL and TE", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("conflicting CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde", 400),
                Arguments.of("repeated equal CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400),
                Arguments.of("CL list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc", 400),
                Arguments.of("CL not a number", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3x\r\n\r\nabc", 400),
                Arguments.of("CL negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
                Arguments.of("TE gzip, chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("TE chunked, gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("TE twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("TE xchunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("TE identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", 400),
                Arguments.of("TE on HTTP/1.0", "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("space before colon", "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", 400),
                Arguments.of("missing Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400),
                Arguments.of("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
                Arguments.of("Host with path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
                Arguments.of("Host with userinfo", "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400),
                Arguments.of("Host bad port", "GET / HTTP/1.1\r\nHost: a:80x\r\n\r\n", 400),
                Arguments.of("empty Host", "GET / HTTP/1.1\r\nHost: \r\n\r\n", 400),
                Arguments.of("NUL in header", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u0000b\r\n\r\n", 400),
                Arguments.of("bare LF in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400),
                Arguments.of("bad target", "GET foo HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("absolute-form vs Host", "GET http://b/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("Transfer_Encoding", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nTransfer_Encoding: chunked\r\n\r\n", 400),
                Arguments.of("encoded CRLF in path", "GET /%0d%0aX:%20y HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("dot segment with params", "GET /x/..;/y HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("backslash", "GET /x\\y HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("bad version", "GET / HTTP/2.7\r\nHost: a\r\n\r\n", 505),
                Arguments.of("CONNECT", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", 405),
                Arguments.of("URI too long", "GET " + longUri + " HTTP/1.1\r\nHost: a\r\n\r\n", 414),
                Arguments.of("headers too large", "GET / HTTP/1.1\r\nHost: a\r\n" + bigHeader + "\r\n", 431));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectedWithoutRouting(String name, String raw, int status) {
        int before = router.calls.get();
        EmbeddedChannel ch = new EmbeddedChannel(initializer);
        ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
        String out = drainOutbound(ch);
        assertThat(out).as(name).startsWith("HTTP/1.1 " + status);
        assertThat(out.toLowerCase()).contains("connection: close").contains("content-length:");
        ch.runPendingTasks();
        assertThat(ch.isOpen()).as("closed after the error").isFalse();
        assertThat(router.calls.get()).as("never routed, never forwarded").isEqualTo(before);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void unknownHostGets404AndKeepsTheConnection() {
        EmbeddedChannel ch = new EmbeddedChannel(initializer);
        ch.writeInbound(Unpooled.copiedBuffer("GET /x?y=1 HTTP/1.1\r\nHost: Example.COM:8080\r\n\r\n"
                + "GET /z HTTP/1.1\r\nHost: other\r\n\r\n", StandardCharsets.ISO_8859_1));
        String out = drainOutbound(ch);
        assertThat(out).startsWith("HTTP/1.1 404").contains("no route for host example.com path /x")
                .contains("no route for host other path /z").doesNotContain("connection: close");
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void http10WithoutKeepAliveIsClosedAfter404() {
        EmbeddedChannel ch = new EmbeddedChannel(initializer);
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.0\r\n\r\n", StandardCharsets.ISO_8859_1));
        String out = drainOutbound(ch);
        assertThat(out).startsWith("HTTP/1.0 404").contains("connection: close");
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void unsupportedExpectationGets417() {
        EmbeddedChannel ch = new EmbeddedChannel(initializer);
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n",
                StandardCharsets.ISO_8859_1));
        assertThat(drainOutbound(ch)).startsWith("HTTP/1.1 417");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    static String drainOutbound(EmbeddedChannel ch) {
        ch.runPendingTasks();
        StringBuilder sb = new StringBuilder();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }
}
