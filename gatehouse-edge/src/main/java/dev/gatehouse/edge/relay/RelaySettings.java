package dev.gatehouse.edge.relay;

import dev.gatehouse.edge.EdgeOptions;
import dev.gatehouse.edge.pool.NodePool;
import io.micrometer.core.instrument.Counter;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every relayed connection shares, including one node {@link Bootstrap} per event loop: building a Bootstrap
 * (its option map, its resolver look-up) for every client was a per-connection cost; the node addresses are
 * resolved already, so the Bootstrap's resolver is off.
 */
public final class RelaySettings {
    /** Bootstrap insists on a handler before connect; the splice is added once connected. */
    @ChannelHandler.Sharable
    private static final class Inert extends ChannelInboundHandlerAdapter {
    }

    private static final ChannelHandler INERT = new Inert();

    private final NodePool pool;
    private final Class<? extends Channel> channelClass;
    private final Duration connectTimeout;
    private final EdgeOptions.ProxyProtocol proxyProtocol;
    private final Counter refused;
    private final Map<EventLoop, Bootstrap> bootstraps = new ConcurrentHashMap<>();

    /**
     * @param channelClass the transport's client channel class (epoll or NIO, as the listeners')
     * @param connectTimeout one connect's limit before the next node is tried
     * @param refused counts clients closed because no node could be reached
     */
    public RelaySettings(NodePool pool, Class<? extends Channel> channelClass, Duration connectTimeout,
                         EdgeOptions.ProxyProtocol proxyProtocol, Counter refused) {
        this.pool = pool;
        this.channelClass = channelClass;
        this.connectTimeout = connectTimeout;
        this.proxyProtocol = proxyProtocol;
        this.refused = refused;
    }

    public NodePool pool() {
        return pool;
    }

    public EdgeOptions.ProxyProtocol proxyProtocol() {
        return proxyProtocol;
    }

    public Counter refused() {
        return refused;
    }

    /** The Bootstrap connecting to nodes from {@code loop} (the client's own): not reading until spliced. */
    Bootstrap bootstrap(EventLoop loop) {
        Bootstrap b = bootstraps.get(loop);
        return b != null ? b : bootstraps.computeIfAbsent(loop, l -> new Bootstrap()
                .group(l)
                .channel(channelClass)
                .disableResolver()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                        connectTimeout.toMillis())))
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, NodeRelay.WATERMARKS)
                .handler(INERT));
    }
}
