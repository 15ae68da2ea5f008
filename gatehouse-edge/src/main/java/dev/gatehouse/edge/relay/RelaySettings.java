package dev.gatehouse.edge.relay;

import dev.gatehouse.edge.EdgeOptions;
import dev.gatehouse.edge.pool.NodePool;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;

import java.time.Duration;

/**
 * What every relayed connection shares.
 *
 * @param channelClass the transport's client channel class (epoll or NIO, as the listeners')
 * @param connectTimeout one connect's limit before the next node is tried
 * @param refused counts clients closed because no node could be reached
 */
public record RelaySettings(NodePool pool, Class<? extends Channel> channelClass, Duration connectTimeout,
                            EdgeOptions.ProxyProtocol proxyProtocol, Counter refused) {
}
