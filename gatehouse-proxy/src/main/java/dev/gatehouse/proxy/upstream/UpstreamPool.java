package dev.gatehouse.proxy.upstream;

import dev.gatehouse.routing.tls.UpstreamTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Objects;

/**
 * Idle HTTP/1.1 connections of ONE event loop, by endpoint. Only that loop touches it, so it is a plain
 * {@link HashMap} of LIFO deques (the most recently used connection is the warmest and the least likely to
 * have been closed by the backend). Connections are created on the same loop, so a request and its
 * upstream connection never cross threads.
 */
public final class UpstreamPool {
    /** Idle connections kept per endpoint on one loop; the rest are closed on release. */
    public static final int MAX_IDLE_PER_ENDPOINT = 128;

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final long idleTimeoutNanos;
    private final HashMap<InetSocketAddress, ArrayDeque<UpstreamHandler>> idle = new HashMap<>();

    UpstreamPool(EventLoop loop, Class<? extends Channel> channelClass, Duration connectTimeout, Duration idleTimeout) {
        this.loop = loop;
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024));
    }

    public EventLoop loop() {
        return loop;
    }

    long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    /** @return a live idle cleartext connection to {@code endpoint}, or null */
    public UpstreamHandler pollIdle(InetSocketAddress endpoint) {
        return pollIdle(endpoint, null);
    }

    /**
     * @param tls the TLS identity the connection must have, or null for cleartext: an endpoint reached through two
     *            policies (rare) has connections of each in its deque, and only a match is taken
     * @return a live idle connection, or null; dead ones found on the way are dropped
     */
    public UpstreamHandler pollIdle(InetSocketAddress endpoint, UpstreamTls tls) {
        ArrayDeque<UpstreamHandler> deque = idle.get(endpoint);
        if (deque == null) {
            return null;
        }
        for (Iterator<UpstreamHandler> it = deque.iterator(); it.hasNext(); ) {
            UpstreamHandler h = it.next();
            if (!h.channel().isActive()) {
                it.remove();
                h.channel().close();
            } else if (Objects.equals(h.tls(), tls)) {
                it.remove();
                return h;
            }
        }
        return null;
    }

    /**
     * Opens a new connection (used directly for WebSocket, which must never share a pooled connection).
     * The endpoint must be resolved: an unresolved address would block the loop in the JDK resolver.
     */
    public ChannelFuture connect(InetSocketAddress endpoint) {
        return connect(endpoint, null);
    }

    /** @param tls TLS to speak (the cluster's BackendTLSPolicy), or null for cleartext */
    public ChannelFuture connect(InetSocketAddress endpoint, UpstreamTls tls) {
        return bootstrap.clone()
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), endpoint));
                        }
                        ch.pipeline().addLast(newClientCodec(), new UpstreamHandler(UpstreamPool.this, endpoint, tls));
                    }
                })
                .connect(endpoint);
    }

    /** Returns a connection whose response ended cleanly and which may be reused. */
    public void release(UpstreamHandler handler) {
        handler.unbind();
        Channel ch = handler.channel();
        if (!ch.isActive()) {
            return;
        }
        if (idleTimeoutNanos == 0) {
            ch.close(); // pooling turned off
            return;
        }
        ArrayDeque<UpstreamHandler> deque = idle.computeIfAbsent(handler.endpoint(), k -> new ArrayDeque<>());
        if (deque.size() >= MAX_IDLE_PER_ENDPOINT) {
            ch.close();
            return;
        }
        deque.offerFirst(handler);
        handler.markIdle(System.nanoTime());
    }

    /**
     * A connection closed: it leaves the idle deque, and a deque left empty leaves the map, so endpoints that
     * left the config (pod churn) do not stay in it. Per connection close, never per request: an endpoint in
     * use keeps its deque while a connection to it is pooled.
     */
    void closed(UpstreamHandler handler, boolean wasIdle) {
        ArrayDeque<UpstreamHandler> deque = idle.get(handler.endpoint());
        if (deque == null) {
            return;
        }
        if (wasIdle) {
            deque.remove(handler);
        }
        if (deque.isEmpty()) {
            idle.remove(handler.endpoint());
        }
    }

    /** @return endpoints with a deque of idle connections (tests) */
    int endpoints() {
        return idle.size();
    }

    /** @return idle connections to an endpoint (tests, metrics) */
    public int idleCount(InetSocketAddress endpoint) {
        ArrayDeque<UpstreamHandler> deque = idle.get(endpoint);
        return deque == null ? 0 : deque.size();
    }

    static HttpClientCodec newClientCodec() {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(8 * 1024)
                .setMaxHeaderSize(64 * 1024)
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true)
                // a response with CL and TE, or two Content-Lengths, is a decoder failure (-> 502, connection
                // closed), never relayed with one reading chosen for the client
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(false);
        // failOnMissingResponse: a connection that closes mid-response is reported, never reused.
        return new HttpClientCodec(config, false, true);
    }
}
