package dev.gatehouse.proxy.upstream;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UpstreamHandlerTest {
    static final InetSocketAddress ENDPOINT = new InetSocketAddress("127.0.0.1", 9);

    static final class RecordingListener implements UpstreamListener {
        final List<String> events = new ArrayList<>();
        long deadline;

        @Override
        public void onUpstreamRead(Object msg) {
            events.add("read");
            io.netty.util.ReferenceCountUtil.release(msg);
        }

        @Override
        public void onUpstreamReadComplete() {
            events.add("complete");
        }

        @Override
        public void onUpstreamWritabilityChanged(boolean writable) {
            events.add("writable=" + writable);
        }

        @Override
        public void onUpstreamInactive(Throwable cause) {
            events.add("inactive");
        }

        @Override
        public long deadlineNanos() {
            return deadline;
        }

        @Override
        public void onDeadline() {
            events.add("deadline");
        }
    }

    private static UpstreamPool pool(EmbeddedChannel ch) {
        return new UpstreamPool(ch.eventLoop(), NioSocketChannel.class, Duration.ofSeconds(1), Duration.ofMillis(30));
    }

    @Test
    void forwardsEventsToTheBoundListener() {
        EmbeddedChannel ch = new EmbeddedChannel();
        UpstreamHandler h = new UpstreamHandler(pool(ch), ENDPOINT);
        ch.pipeline().addLast(h);
        RecordingListener l = new RecordingListener();
        h.bind(l);
        ch.writeInbound(Unpooled.copiedBuffer(new byte[] {1}));
        ch.close();
        assertThat(l.events).containsExactly("read", "complete", "inactive");
        assertThat(h.reused()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void unsolicitedBytesOnAnIdleConnectionCloseIt() {
        EmbeddedChannel ch = new EmbeddedChannel();
        UpstreamHandler h = new UpstreamHandler(pool(ch), ENDPOINT);
        ch.pipeline().addLast(h);
        ch.writeInbound(Unpooled.copiedBuffer(new byte[] {1, 2}));
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void deadlineIsCheckedLazily() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        UpstreamHandler h = new UpstreamHandler(pool(ch), ENDPOINT);
        ch.pipeline().addLast(h);
        RecordingListener l = new RecordingListener();
        l.deadline = System.nanoTime() + 20_000_000L;
        h.bind(l);
        Thread.sleep(40);
        ch.runScheduledPendingTasks();
        assertThat(l.events).containsExactly("deadline");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anEarlierDeadlineReplacesATimerSetForALaterOneAcrossTheNanoTimeWrap() throws Exception {
        long now = System.nanoTime();
        long soon = now + 20_000_000L;
        // later than soon by ~292 years: as a difference it is later, but its raw value has wrapped below soon's
        long far = soon + (Long.MAX_VALUE - 1_000_000_000L);
        org.junit.jupiter.api.Assumptions.assumeTrue(far < soon, "needs System.nanoTime() > ~1 s to wrap");
        EmbeddedChannel ch = new EmbeddedChannel();
        UpstreamHandler h = new UpstreamHandler(pool(ch), ENDPOINT);
        ch.pipeline().addLast(h);
        RecordingListener l = new RecordingListener();
        l.deadline = far;
        h.bind(l);
        l.deadline = soon;
        h.rearm();
        Thread.sleep(40);
        ch.runScheduledPendingTasks();
        assertThat(l.events).containsExactly("deadline");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void poolForgetsAnEndpointOnceItsLastConnectionCloses() {
        EmbeddedChannel a = new EmbeddedChannel();
        UpstreamPool pool = pool(a);
        UpstreamHandler ha = new UpstreamHandler(pool, ENDPOINT);
        a.pipeline().addLast(ha);
        InetSocketAddress other = new InetSocketAddress("127.0.0.1", 10);
        EmbeddedChannel b = new EmbeddedChannel();
        UpstreamHandler hb = new UpstreamHandler(pool, other);
        b.pipeline().addLast(hb);
        ha.bind(new RecordingListener());
        hb.bind(new RecordingListener());
        pool.release(ha);
        pool.release(hb);
        assertThat(pool.endpoints()).isEqualTo(2);
        a.close(); // idle, closed by the backend (or its endpoint left and the idle timeout closed it)
        assertThat(pool.endpoints()).isEqualTo(1);
        assertThat(pool.pollIdle(other)).isSameAs(hb);
        hb.bind(new RecordingListener());
        b.close(); // in use when it closed
        assertThat(pool.endpoints()).isZero();
        assertThat(a.finishAndReleaseAll()).isFalse();
        assertThat(b.finishAndReleaseAll()).isFalse();
    }

    @Test
    void poolReusesLifoAndForgetsClosedOrExpiredConnections() throws Exception {
        EmbeddedChannel a = new EmbeddedChannel();
        UpstreamPool pool = pool(a);
        UpstreamHandler ha = new UpstreamHandler(pool, ENDPOINT);
        a.pipeline().addLast(ha);
        EmbeddedChannel b = new EmbeddedChannel();
        UpstreamHandler hb = new UpstreamHandler(pool, ENDPOINT);
        b.pipeline().addLast(hb);
        ha.bind(new RecordingListener());
        hb.bind(new RecordingListener());
        pool.release(ha);
        pool.release(hb);
        assertThat(pool.idleCount(ENDPOINT)).isEqualTo(2);
        assertThat(pool.pollIdle(ENDPOINT)).isSameAs(hb);
        hb.bind(new RecordingListener());
        assertThat(hb.reused()).isTrue();
        // the other one expires after the pool idle timeout (30 ms here)
        Thread.sleep(50);
        a.runScheduledPendingTasks();
        assertThat(a.isOpen()).isFalse();
        assertThat(pool.idleCount(ENDPOINT)).isZero();
        assertThat(pool.pollIdle(ENDPOINT)).isNull();
        assertThat(a.finishAndReleaseAll()).isFalse();
        assertThat(b.finishAndReleaseAll()).isFalse();
    }

    @Test
    void poolKeepsAsManyIdleConnectionsAsAnH2BurstUsed() {
        // 50 h2 clients x 10 streams each hold 500 HTTP/1.1 connections at once: all of them stay pooled
        EmbeddedChannel first = new EmbeddedChannel();
        UpstreamPool pool = new UpstreamPool(first.eventLoop(), NioSocketChannel.class, Duration.ofSeconds(1),
                Duration.ofSeconds(30));
        List<EmbeddedChannel> channels = new ArrayList<>();
        List<UpstreamHandler> handlers = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            EmbeddedChannel ch = i == 0 ? first : new EmbeddedChannel();
            UpstreamHandler h = new UpstreamHandler(pool, ENDPOINT);
            ch.pipeline().addLast(h);
            h.bind(new RecordingListener());
            channels.add(ch);
            handlers.add(h);
        }
        handlers.forEach(pool::release);
        assertThat(pool.idleCount(ENDPOINT)).isEqualTo(500);
        assertThat(channels).allMatch(EmbeddedChannel::isOpen);
        for (EmbeddedChannel ch : channels) {
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }
}
