package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import dev.gatehouse.proxy.http.HttpProxyHandler;
import dev.gatehouse.proxy.http.ProxyContext;
import dev.gatehouse.routing.route.Backend;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.runtime.SnapshotHolder;
import dev.gatehouse.proxy.testing.TestRouting;
import dev.gatehouse.proxy.testing.TestRouting.TestCluster;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import dev.gatehouse.proxy.upstream.UpstreamPools;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP/1.1 frontend while the server drains ({@link ProxyContext#startDraining}, {@link HttpProxyHandler#drain}),
 * in an {@link EmbeddedChannel}: unrouted requests get a local 404, and {@code /hold} is held by a filter that
 * never resumes, so a request stays in flight.
 */
class HttpProxyHandlerDrainTest {
    static EventLoopGroup group;
    private ProxyContext context;
    private FrontendInitializer initializer;

    @BeforeAll
    static void loops() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void setUp() {
        HttpFilter hold = new HttpFilter() {
            @Override
            public FilterResult onRequest(HttpExchange exchange) {
                return new FilterResult.Suspend(new CompletableFuture<>());
            }
        };
        TestCluster nowhere = new TestCluster("default/nowhere:80", List.of());
        TestRouter router = new TestRouter().pathPrefix("/hold",
                new TestRoute("hold", List.of(hold), new Backend(nowhere, List.of(), null), TimeoutSpec.NONE));
        SnapshotHolder holder = new SnapshotHolder(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(0, router)));
        context = new ProxyContext(holder, new UpstreamPools(group, NioSocketChannel.class, Duration.ofSeconds(1)));
        initializer = new FrontendInitializer(context, GatewayServerTest.options());
    }

    private static boolean drain(EmbeddedChannel ch) {
        return ch.pipeline().get(HttpProxyHandler.class).drain();
    }

    private static void send(EmbeddedChannel ch, String raw) {
        ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    }

    @Test
    void aKeepAliveConnectionBetweenRequestsClosesAtOnce() {
        EmbeddedChannel ch = new EmbeddedChannel(initializer);
        send(ch, "GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(RequestRejectionTest.drainOutbound(ch)).startsWith("HTTP/1.1 404").doesNotContain("connection: close");
        context.startDraining();

        assertThat(drain(ch)).as("nothing in flight").isFalse();
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aRequestInFlightKeepsItsConnectionAndAnAnswerDuringTheDrainSaysConnectionClose() {
        EmbeddedChannel ch = new EmbeddedChannel(initializer);
        send(ch, "GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
        context.startDraining();

        assertThat(drain(ch)).as("in flight").isTrue();
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();

        EmbeddedChannel next = new EmbeddedChannel(initializer);
        send(next, "GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(RequestRejectionTest.drainOutbound(next)).startsWith("HTTP/1.1 404").contains("connection: close");
        next.runPendingTasks();
        assertThat(next.isOpen()).isFalse();
        assertThat(next.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aConnectionThatHasNotSentItsFirstRequestStays() {
        EmbeddedChannel ch = new EmbeddedChannel(initializer);
        context.startDraining();

        assertThat(drain(ch)).isFalse();
        ch.runPendingTasks();
        assertThat(ch.isOpen()).as("a request may be on its way").isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
