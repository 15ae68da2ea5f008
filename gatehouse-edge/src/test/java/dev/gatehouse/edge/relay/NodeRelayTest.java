package dev.gatehouse.edge.relay;

import dev.gatehouse.edge.EdgeOptions;
import dev.gatehouse.edge.pool.NodePool;
import dev.gatehouse.edge.pool.NodeSet;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The relay's decisions before any socket: the real connects are EdgeServerTest's. */
class NodeRelayTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Counter refused = registry.counter("refused");

    private RelaySettings settings(Map<Integer, Integer> nodePorts) {
        NodePool pool = new NodePool(EdgeOptions.Balance.LEAST_CONNECTIONS, new EdgeOptions.HealthCheck(null, 0,
                Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 1), registry);
        pool.update(new NodeSet(List.of(), nodePorts));
        return new RelaySettings(pool, NioSocketChannel.class, Duration.ofSeconds(1), Duration.ofHours(1),
                EdgeOptions.ProxyProtocol.V2, refused);
    }

    @Test
    void withoutNodesTheClientIsClosedAtOnceAndCounted() {
        EmbeddedChannel client = new EmbeddedChannel(new NodeRelay(settings(Map.of(80, 30080)), 80, false));
        assertThat(client.isOpen()).isFalse();
        assertThat(refused.count()).isEqualTo(1);
    }

    @Test
    void behindAGateItWaitsForTheFirstBytesAndReleasesThemWhenNoNodeTakesThem() {
        EmbeddedChannel client = new EmbeddedChannel(new NodeRelay(settings(Map.of(443, 30443)), 443, true));
        assertThat(client.isOpen()).isTrue();
        assertThat(refused.count()).isZero();
        ByteBuf hello = Unpooled.copiedBuffer(new byte[] {22, 3, 1});
        client.writeInbound(hello);
        assertThat(hello.refCnt()).isZero();
        assertThat(client.isOpen()).isFalse();
        assertThat(refused.count()).isEqualTo(1);
    }

    @Test
    void aListenPortWithoutANodePortIsRefused() {
        EmbeddedChannel client = new EmbeddedChannel(new NodeRelay(settings(Map.of(443, 30443)), 80, false));
        assertThat(client.isOpen()).isFalse();
        assertThat(refused.count()).isEqualTo(1);
    }
}
