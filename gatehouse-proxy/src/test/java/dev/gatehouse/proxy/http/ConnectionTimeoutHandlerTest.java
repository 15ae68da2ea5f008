package dev.gatehouse.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionTimeoutHandlerTest {

    @Test
    void closesWhenNoHeadArrives() throws Exception {
        ConnectionTimeoutHandler h = new ConnectionTimeoutHandler(Duration.ofMillis(50), Duration.ofSeconds(60));
        EmbeddedChannel ch = new EmbeddedChannel(h);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {'G'})); // traffic does not extend the head deadline
        ch.readInbound().toString();
        releaseInbound(ch);
        Thread.sleep(80);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void headArrivedDisarmsUntilTheNextAwait() throws Exception {
        ConnectionTimeoutHandler h = new ConnectionTimeoutHandler(Duration.ofMillis(50), Duration.ofSeconds(60));
        EmbeddedChannel ch = new EmbeddedChannel(h);
        h.headArrived();
        Thread.sleep(80);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        h.awaitHead();
        Thread.sleep(80);
        ch.runScheduledPendingTasks();
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void headTimeoutActionReplacesTheClose() throws Exception {
        ConnectionTimeoutHandler h = new ConnectionTimeoutHandler(Duration.ofMillis(50), Duration.ofSeconds(60));
        EmbeddedChannel ch = new EmbeddedChannel(h);
        int[] calls = {0};
        h.onHeadTimeout(() -> {
            calls[0]++;
            ch.close();
        });
        Thread.sleep(80);
        ch.runScheduledPendingTasks();
        assertThat(calls[0]).isEqualTo(1);
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void idleTimeoutAppliesWithoutHeadTimeout() throws Exception {
        // a 1 s idle timeout: the "still open" check comes long before it even when this thread oversleeps
        ConnectionTimeoutHandler h = new ConnectionTimeoutHandler(Duration.ofMillis(20), Duration.ofMillis(1000));
        EmbeddedChannel ch = new EmbeddedChannel(h);
        h.stopHeadTimeout();
        Thread.sleep(30);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        Thread.sleep(1000);
        ch.runScheduledPendingTasks();
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void silentBodyIsCutAfterBodyIdle() throws Exception {
        ConnectionTimeoutHandler h = new ConnectionTimeoutHandler(Duration.ofSeconds(60), Duration.ofSeconds(60),
                Duration.ofMillis(50), null, 0);
        EmbeddedChannel ch = new EmbeddedChannel(h);
        h.headArrived();
        h.bodyStarted();
        Thread.sleep(80);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void bodyEndedDisarmsTheBodyDeadline() throws Exception {
        ConnectionTimeoutHandler h = new ConnectionTimeoutHandler(Duration.ofSeconds(60), Duration.ofSeconds(60),
                Duration.ofMillis(50), Duration.ofMillis(50), 1_000_000);
        EmbeddedChannel ch = new EmbeddedChannel(h);
        h.headArrived();
        h.bodyStarted();
        h.bodyEnded();
        Thread.sleep(80);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void pausedReadingIsNotHeldAgainstTheClient() throws Exception {
        ConnectionTimeoutHandler h = new ConnectionTimeoutHandler(Duration.ofSeconds(60), Duration.ofSeconds(60),
                Duration.ofMillis(50), null, 0);
        EmbeddedChannel ch = new EmbeddedChannel(h);
        h.headArrived();
        h.bodyStarted();
        ch.config().setAutoRead(false); // back-pressure from the backend: we stopped reading
        Thread.sleep(80);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.config().setAutoRead(true);
        Thread.sleep(80);
        ch.runScheduledPendingTasks();
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void trickleBelowTheMinimumRateIsCutWhileSteadyBytesAreNot() throws Exception {
        ConnectionTimeoutHandler h = new ConnectionTimeoutHandler(Duration.ofSeconds(60), Duration.ofSeconds(60),
                Duration.ofMillis(100), null, 100_000);
        EmbeddedChannel ch = new EmbeddedChannel(h);
        h.headArrived();
        h.bodyStarted();
        for (int i = 0; i < 12 && ch.isOpen(); i++) { // 10 bytes every 10 ms = 1 KB/s, never silent 100 ms
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[10]));
            releaseInbound(ch);
            Thread.sleep(10);
            ch.runScheduledPendingTasks();
        }
        Thread.sleep(1000);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    private static void releaseInbound(EmbeddedChannel ch) {
        Object o;
        while ((o = ch.readInbound()) != null) {
            io.netty.util.ReferenceCountUtil.release(o);
        }
    }
}
