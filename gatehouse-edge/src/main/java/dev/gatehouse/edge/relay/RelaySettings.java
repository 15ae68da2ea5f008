package dev.gatehouse.edge.relay;

import dev.gatehouse.edge.EdgeOptions;
import dev.gatehouse.edge.pool.NodePool;
import dev.gatehouse.proxy.timer.Deadlines;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.ReflectiveChannelFactory;

import java.net.SocketAddress;
import java.time.Duration;

/**
 * What every relayed connection shares, and how it opens its node channel. Not through a Bootstrap: per connection
 * it copied its option map into an array, allocated a promise and queued the connect as a task on the loop it was
 * already running on; the node addresses are resolved already, and no handler is needed until the splice.
 */
public final class RelaySettings {
    /**
     * How long a PROXY header waits for the client's first bytes when the node is connected before they arrived, so
     * that both leave in one segment (docs/edge.md, Performance); a client that waits for the server to speak first
     * (SMTP, SSH, MySQL) sees the node's greeting up to twice this much later, once per connection: the holds are
     * swept once per length, not per sixteenth (800 scheduled sweeps a second while connections keep arriving, for
     * holds that the client's bytes nearly always end within a millisecond).
     */
    static final Duration HEADER_HOLD = Duration.ofMillis(20);

    private final NodePool pool;
    private final ChannelFactory<? extends Channel> channels;
    private final Deadlines connectTimeouts;
    private final Deadlines idleTimeouts;
    private final Deadlines headerHolds;
    private final EdgeOptions.ProxyProtocol proxyProtocol;
    private final Counter refused;

    /**
     * @param channelClass the transport's client channel class (epoll or NIO, as the listeners')
     * @param connectTimeout one connect's limit before the next node is tried
     * @param idleTimeout a relayed connection with no byte either way for this long is closed
     * @param refused counts clients closed because no node could be reached
     */
    public RelaySettings(NodePool pool, Class<? extends Channel> channelClass, Duration connectTimeout,
                         Duration idleTimeout, EdgeOptions.ProxyProtocol proxyProtocol, Counter refused) {
        this(pool, channelClass, connectTimeout, idleTimeout, proxyProtocol, refused, HEADER_HOLD);
    }

    /** @param headerHold how long a PROXY header waits for the client's first bytes (tests: other than the default) */
    RelaySettings(NodePool pool, Class<? extends Channel> channelClass, Duration connectTimeout, Duration idleTimeout,
                  EdgeOptions.ProxyProtocol proxyProtocol, Counter refused, Duration headerHold) {
        this.headerHolds = new Deadlines(headerHold, headerHold);
        this.pool = pool;
        this.channels = new ReflectiveChannelFactory<>(channelClass);
        this.connectTimeouts = new Deadlines(connectTimeout);
        this.idleTimeouts = new Deadlines(idleTimeout);
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

    /** One connect's limit: the loop's timers, not the task Netty schedules per connect with a connect timeout set. */
    Deadlines connectTimeouts() {
        return connectTimeouts;
    }

    /** The relayed connections' idle timeout ({@link NodeBytes} keeps it). */
    Deadlines idleTimeouts() {
        return idleTimeouts;
    }

    /** A PROXY header held for the client's first bytes ({@link #HEADER_HOLD}; {@link NodeBytes} keeps it). */
    Deadlines headerHolds() {
        return headerHolds;
    }

    /**
     * A channel to {@code node} connecting from {@code loop} (the client's own; call on that loop), not reading
     * until spliced. It fails as Bootstrap's would: the channel closed, the future failed. The connect timeout is
     * the caller's ({@link #connectTimeouts()}).
     */
    ChannelFuture connect(EventLoop loop, SocketAddress node) {
        Channel ch = channels.newChannel();
        ChannelConfig config = ch.config();
        config.setConnectTimeoutMillis(0);
        config.setAutoRead(false);
        config.setWriteBufferWaterMark(NodeRelay.WATERMARKS);
        config.setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        ChannelFuture registered = loop.register(ch);
        if (registered.isDone()) { // on its own loop registration completes at once
            return registered.isSuccess() ? ch.connect(node) : failed(ch, registered);
        }
        ChannelPromise connected = ch.newPromise();
        registered.addListener(r -> {
            if (r.isSuccess()) {
                ch.connect(node, connected);
            } else {
                failed(ch, registered);
                connected.setFailure(r.cause());
            }
        });
        return connected;
    }

    private static ChannelFuture failed(Channel ch, ChannelFuture registered) {
        if (ch.isRegistered()) {
            ch.close();
        } else {
            ch.unsafe().closeForcibly();
        }
        return registered;
    }
}
