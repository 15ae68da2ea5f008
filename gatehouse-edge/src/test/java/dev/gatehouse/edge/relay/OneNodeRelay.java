package dev.gatehouse.edge.relay;

import dev.gatehouse.edge.EdgeOptions;
import dev.gatehouse.edge.pool.EdgeNode;
import dev.gatehouse.edge.pool.NodePool;
import dev.gatehouse.edge.pool.NodeSet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Relay settings for the relay tests' listeners: port 80 to one node on NIO, a 5 s connect and 1 h idle timeout. */
final class OneNodeRelay {
    private OneNodeRelay() {
    }

    static RelaySettings settings(Channel node, EdgeOptions.ProxyProtocol proxyProtocol, Duration headerHold) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        NodePool pool = new NodePool(EdgeOptions.Balance.ROUND_ROBIN, new EdgeOptions.HealthCheck(null, 0,
                Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 1), registry);
        int nodePort = ((InetSocketAddress) node.localAddress()).getPort();
        pool.update(new NodeSet(List.of(new EdgeNode("n1", "127.0.0.1")), Map.of(80, nodePort)));
        return new RelaySettings(pool, NioSocketChannel.class, Duration.ofSeconds(5), Duration.ofHours(1),
                proxyProtocol, registry.counter("refused"), headerHold);
    }
}
