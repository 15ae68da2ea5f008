package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.http.ConnectionTimeoutHandler;
import dev.gatehouse.proxy.http.HttpProxyHandler;
import dev.gatehouse.proxy.http.ProxyContext;
import dev.gatehouse.proxy.http1.StrictHttpServerCodec;
import dev.gatehouse.proxy.testing.TestRouting;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import dev.gatehouse.proxy.upstream.UpstreamPools;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.runtime.SnapshotHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A keep-alive HTTP/1.1 connection quiet between requests ({@link ConnectionTimeoutHandler#QUIET}) holds no codec, no
 * proxy handler and no timeouts handler, only a {@link QuietHttp1Connection.StandIn} that keeps its head deadline in
 * the loop's list of quiet timers; the next request brings all three back. Unrouted requests get a local 404 that
 * keeps the connection.
 */
class QuietHttp1ConnectionTest {
    /** past the quiet delay, with room for a late timer on a busy machine */
    private static final long QUIET_WAIT_MILLIS = TimeUnit.NANOSECONDS.toMillis(ConnectionTimeoutHandler.QUIET_NANOS) + 300;
    static EventLoopGroup group;
    static FrontendInitializer initializer;

    @BeforeAll
    static void setUp() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        SnapshotHolder holder = new SnapshotHolder(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(0, new TestRouter())));
        ProxyContext context = new ProxyContext(holder, new UpstreamPools(group, NioSocketChannel.class, Duration.ofSeconds(1)));
        initializer = new FrontendInitializer(context, GatewayServerTest.options());
    }

    @AfterAll
    static void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static void send(EmbeddedChannel ch, String raw) {
        ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    }

    private static void stayQuiet(EmbeddedChannel ch) throws InterruptedException {
        Thread.sleep(QUIET_WAIT_MILLIS);
        ch.runScheduledPendingTasks();
    }

    private static boolean holdsRequestState(EmbeddedChannel ch) {
        return ch.pipeline().get(StrictHttpServerCodec.class) != null || ch.pipeline().get(HttpProxyHandler.class) != null;
    }

    @Test
    void aQuietKeepAliveConnectionHoldsNoCodecAndTheNextRequestBringsItBack() throws Exception {
        EmbeddedChannel ch = answeredOnce();
        assertThat(holdsRequestState(ch)).as("right after the answer").isTrue();

        stayQuiet(ch);
        assertThat(holdsRequestState(ch)).as("quiet").isFalse();
        assertThat(ch.pipeline().get(QuietHttp1Connection.StandIn.class)).isNotNull();
        assertThat(ch.pipeline().names()).as("the stand-in alone").hasSize(2); // + the tail's name

        send(ch, "GET /b HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(RequestRejectionTest.drainOutbound(ch)).startsWith("HTTP/1.1 404").doesNotContain("connection: close");
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.pipeline().get(QuietHttp1Connection.StandIn.class)).isNull();
        assertThat(holdsRequestState(ch)).isTrue();
        assertThat(ch.pipeline().get(ConnectionTimeoutHandler.class)).as("timeouts back, first").isNotNull()
                .isSameAs(ch.pipeline().first());

        stayQuiet(ch);
        assertThat(holdsRequestState(ch)).as("quiet again").isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aQuietConnectionStillClosesAtItsHeadDeadline() throws Exception {
        EmbeddedChannel ch = answeredOnce();
        stayQuiet(ch);
        assertThat(ch.pipeline().get(ConnectionTimeoutHandler.class)).isNull();
        long headMillis = GatewayServerTest.options().clientTraffic().requestHeader().toMillis();

        ch.advanceTimeBy(headMillis / 2, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("half the head timeout").isTrue();
        for (int i = 0; i < 20 && ch.isOpen(); i++) { // as a running loop sweeps: a tenth of the timeout at a time
            ch.advanceTimeBy(headMillis / 10, TimeUnit.MILLISECONDS);
            ch.runScheduledPendingTasks();
        }
        assertThat(ch.isOpen()).as("past the head timeout").isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aHeadBegunAfterTheQuietPeriodIsStillDueWhenTheFirstWasAwaited() throws Exception {
        EmbeddedChannel ch = answeredOnce();
        long awaitedSince = ch.pipeline().get(ConnectionTimeoutHandler.class).awaitingHeadSinceNanos();
        stayQuiet(ch);
        assertThat(ch.pipeline().get(ConnectionTimeoutHandler.class)).isNull();

        send(ch, "GET /b HTTP/1.1\r\nHo"); // a slowloris gains nothing from the stand-in
        assertThat(ch.pipeline().get(ConnectionTimeoutHandler.class).awaitingHeadSinceNanos()).isEqualTo(awaitedSince);
        send(ch, "st: a\r\n\r\n");
        assertThat(RequestRejectionTest.drainOutbound(ch)).startsWith("HTTP/1.1 404");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    /** A connection that has been answered once and kept alive. */
    private static EmbeddedChannel answeredOnce() {
        EmbeddedChannel ch = new EmbeddedChannel(initializer);
        send(ch, "GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(RequestRejectionTest.drainOutbound(ch)).startsWith("HTTP/1.1 404").doesNotContain("connection: close");
        return ch;
    }

    @Test
    void aHeadThatHasBegunKeepsItsCodec() throws Exception {
        EmbeddedChannel ch = answeredOnce();
        send(ch, "GET /b HTTP/1.1\r\nHo");
        stayQuiet(ch);
        assertThat(holdsRequestState(ch)).as("part of a head is buffered").isTrue();

        send(ch, "st: a\r\n\r\n");
        assertThat(RequestRejectionTest.drainOutbound(ch)).startsWith("HTTP/1.1 404");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aPipelinedRequestInTheSameReadAsTheWakeUpIsServedInOrder() throws Exception {
        EmbeddedChannel ch = answeredOnce();
        stayQuiet(ch);
        assertThat(holdsRequestState(ch)).isFalse();

        send(ch, "GET /b HTTP/1.1\r\nHost: a\r\n\r\nGET /c HTTP/1.1\r\nHost: a\r\n\r\n");
        String out = RequestRejectionTest.drainOutbound(ch);
        assertThat(out.split("HTTP/1.1 404", -1)).as("two answers").hasSize(3);
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
