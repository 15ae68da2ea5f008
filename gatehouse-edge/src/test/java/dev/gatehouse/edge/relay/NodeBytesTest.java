package dev.gatehouse.edge.relay;

import dev.gatehouse.edge.EdgeOptions;
import dev.gatehouse.edge.pool.EdgeNode;
import dev.gatehouse.edge.pool.NodePool;
import dev.gatehouse.edge.pool.NodeSet;
import dev.gatehouse.edge.pool.NodeState;
import dev.gatehouse.proxy.timer.Deadlines;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class NodeBytesTest {
    @Test
    void countsEachDirectionIntoTheNodesMetricAndPassesTheBytesOn() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        NodeState node = node(registry);
        EmbeddedChannel ch = new EmbeddedChannel(new NodeBytes(node, new Deadlines(Duration.ofHours(1)), null));
        ch.writeOutbound(Unpooled.wrappedBuffer(new byte[100]));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[7]));
        ByteBuf out = ch.readOutbound();
        ByteBuf in = ch.readInbound();
        assertThat(out.readableBytes()).isEqualTo(100);
        assertThat(in.readableBytes()).isEqualTo(7);
        out.release();
        in.release();
        assertThat(registry.get("gatehouse.edge.bytes").tags("node", "n1", "direction", "to_node").counter().count())
                .isEqualTo(100);
        assertThat(registry.get("gatehouse.edge.bytes").tags("node", "n1", "direction", "from_node").counter().count())
                .isEqualTo(7);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void countsTheConnectionClosedWhenItsChannelCloses() {
        NodeState node = node(new SimpleMeterRegistry());
        node.opened();
        EmbeddedChannel ch = new EmbeddedChannel(new NodeBytes(node, new Deadlines(Duration.ofHours(1)), null));
        assertThat(node.open()).isEqualTo(1);
        ch.close();
        assertThat(node.open()).isZero();
    }

    /** The idle timeout, on the embedded loop's clock: due 60 s after the last byte, found within 3.75 s (60 / 16). */
    private EmbeddedChannel idleChannel(List<Object> events) {
        return new EmbeddedChannel(new NodeBytes(node(new SimpleMeterRegistry()), new Deadlines(Duration.ofSeconds(60)), null),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        events.add(evt);
                    }
                });
    }

    @Test
    void idleForTheTimeoutItFiresAtTheSpliceAndAgainEveryTimeout() {
        List<Object> events = new ArrayList<>();
        EmbeddedChannel ch = idleChannel(events);
        after(ch, 59);
        assertThat(events).isEmpty();
        after(ch, 5);
        assertThat(events).containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        after(ch, 65);
        assertThat(events).hasSize(2);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void bytesEitherWayKeepItAlive() {
        List<Object> events = new ArrayList<>();
        EmbeddedChannel ch = idleChannel(events);
        ch.advanceTimeBy(40, TimeUnit.SECONDS);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
        after(ch, 40);
        ch.writeOutbound(Unpooled.wrappedBuffer(new byte[] {2}));
        after(ch, 40);
        assertThat(events).isEmpty();
        after(ch, 25);
        assertThat(events).containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(ch.finishAndReleaseAll()).isTrue();
    }

    @Test
    void aClosedConnectionHasNoTimerLeft() {
        List<Object> events = new ArrayList<>();
        EmbeddedChannel ch = idleChannel(events);
        ch.close();
        after(ch, 120);
        assertThat(events).isEmpty();
    }

    /** The embedded loop's clock moves on; the sweeps due by then run. */
    private static void after(EmbeddedChannel ch, long seconds) {
        ch.advanceTimeBy(seconds, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
    }

    private static NodeState node(SimpleMeterRegistry registry) {
        NodePool pool = new NodePool(EdgeOptions.Balance.ROUND_ROBIN, new EdgeOptions.HealthCheck(null, 0,
                Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 1), registry);
        return pool.update(new NodeSet(List.of(new EdgeNode("n1", "127.0.0.1")), Map.of(80, 30080))).nodes().get(0);
    }
}
