package dev.gatehouse.edge.relay;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client connection's idle timeout, on the embedded channel's clock. Its loop's sweep fires it within a sixteenth
 * of the timeout (60 s: 3.75 s) after it is due.
 */
class IdleTimeoutTest {
    private final List<Object> events = new ArrayList<>();

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new IdleTimeout(new Deadlines(Duration.ofSeconds(60))), new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
            }
        });
    }

    @Test
    void firesOnceTheConnectionIsIdleForTheTimeoutAndAgainEveryTimeout() {
        EmbeddedChannel ch = channel();
        ch.advanceTimeBy(59, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(events).isEmpty();
        ch.advanceTimeBy(5, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(events).containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        ch.advanceTimeBy(65, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(events).hasSize(2);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void readsAndWritesKeepItAlive() {
        EmbeddedChannel ch = channel();
        ch.advanceTimeBy(40, TimeUnit.SECONDS);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
        ch.advanceTimeBy(40, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        ch.writeOutbound(Unpooled.wrappedBuffer(new byte[] {2}));
        ch.advanceTimeBy(40, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(events).isEmpty();
        ch.advanceTimeBy(25, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(events).containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(ch.finishAndReleaseAll()).isTrue();
    }

    @Test
    void aClosedConnectionHasNoTimerLeft() {
        EmbeddedChannel ch = channel();
        ch.close();
        ch.advanceTimeBy(120, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(events).isEmpty();
    }
}
