package dev.gatehouse.proxy.upstream;

import dev.gatehouse.proxy.http1.UpstreamHttp1Codec;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Set;

/**
 * The upstream connections of ONE event loop, by {@link UpstreamKey} (endpoint, protocol, TLS identity): idle
 * HTTP/1.1 connections, and the HTTP/2 connections whose streams requests share. Only that loop touches it, so
 * it is plain {@link HashMap}s; the HTTP/1.1 ones hold LIFO deques (the most recently used connection is the
 * warmest and the least likely to have been closed by the backend). Connections are created on the same loop,
 * so a request and its upstream connection never cross threads.
 */
public final class UpstreamPool {
    /**
     * Idle connections kept per endpoint on one loop; the rest are closed on release. Each h2 stream in flight holds
     * an HTTP/1.1 connection, so this must cover the peak of concurrent streams (50 h2 clients x 10 streams = 500):
     * with 128, every release beyond it closed a connection the next burst had to reconnect (14,000 connections
     * in TIME-WAIT after 200,000 h2 requests). Envoy's default connection limit per cluster; the idle timeout
     * closes what a burst left.
     */
    public static final int MAX_IDLE_PER_ENDPOINT = 1024;

    /**
     * The largest read of an HTTP/1.1 upstream connection (Netty's default stops at 64 KiB). A download's reads fill
     * their buffer, so the guess grows to this within a few reads; small answers keep small buffers. Each read
     * costs a pipeline trip and a recv and a send besides the kernel's copies: 256 KiB reads make a quarter of them
     * per GiB (docs/performance.md, "Session 11: bodies"). The price: a client that cannot keep up may hold one
     * such read besides its 64 KiB high-water mark before the upstream pauses. h2 upstreams keep Netty's default.
     */
    static final int MAX_READ = 256 * 1024;
    /** Shared: each channel takes its own handle; 16 reads per wake-up as a channel's own default allocator has */
    private static final RecvByteBufAllocator READS =
            new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ).maxMessagesPerRead(16);

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final long idleTimeoutNanos;
    private final HashMap<UpstreamKey, ArrayDeque<UpstreamHandler>> idle = new HashMap<>();
    private final HashMap<UpstreamKey, ArrayList<Http2UpstreamConnection>> http2 = new HashMap<>();
    /** endpoints the last reload removed: their connections are closed instead of pooled (usually empty) */
    private Set<InetSocketAddress> removed = Set.of();

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

    /** A cleartext HTTP/1.1 {@link #pollIdle(UpstreamKey)}. */
    public UpstreamHandler pollIdle(InetSocketAddress endpoint) {
        return pollIdle(UpstreamKey.http1(endpoint));
    }

    /** @return a live idle HTTP/1.1 connection for {@code key}, or null; dead ones found on the way are dropped */
    public UpstreamHandler pollIdle(UpstreamKey key) {
        return pollIdle(key, System.nanoTime());
    }

    /** {@link #pollIdle(UpstreamKey)} judging the connections' age at {@code now}, a {@link System#nanoTime()} read */
    public UpstreamHandler pollIdle(UpstreamKey key, long now) {
        ArrayDeque<UpstreamHandler> deque = idle.get(key);
        if (deque == null) {
            return null;
        }
        UpstreamHandler h;
        while ((h = deque.pollFirst()) != null) {
            if (h.channel().isActive() && !h.spent(now)) {
                return h;
            }
            h.channel().close();
        }
        return null;
    }

    /**
     * Opens a new connection (used directly for WebSocket, which must never share a pooled connection).
     * The endpoint must be resolved: an unresolved address would block the loop in the JDK resolver.
     */
    public ChannelFuture connect(InetSocketAddress endpoint) {
        return connect(UpstreamKey.http1(endpoint));
    }

    /** Opens a new HTTP/1.1 connection for {@code key}. */
    public ChannelFuture connect(UpstreamKey key) {
        return connect(key, 0);
    }

    /**
     * Opens a new HTTP/1.1 connection for {@code key} within {@code timeoutMillis} (TCP connect, and the TLS
     * handshake for a TLS key), or the pool's connect timeout when 0.
     */
    public ChannelFuture connect(UpstreamKey key, int timeoutMillis) {
        Bootstrap b = bootstrap.clone().option(ChannelOption.RCVBUF_ALLOCATOR, READS);
        if (timeoutMillis > 0) {
            b.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis);
        }
        return b.handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (key.tlsIdentity() != null) {
                            SslHandler ssl = key.tlsIdentity().newHandler(ch.alloc(), key.endpoint());
                            if (timeoutMillis > 0) {
                                ssl.setHandshakeTimeoutMillis(timeoutMillis);
                            }
                            ch.pipeline().addLast(ssl);
                        }
                        UpstreamHttp1Codec codec = newClientCodec();
                        ch.pipeline().addLast(codec, new UpstreamHandler(UpstreamPool.this, key, codec));
                    }
                })
                .connect(key.endpoint());
    }

    /**
     * Opens a stream on an HTTP/2 connection for {@code key} that takes one more (connecting one if none does);
     * the stream's pipeline ends in an {@link UpstreamHandler}.
     *
     * @param fresh true to open it on a new connection (a retry of a stream the backend refused)
     */
    public Future<Http2StreamChannel> openStream(UpstreamKey key, boolean fresh) {
        ArrayList<Http2UpstreamConnection> connections = http2.computeIfAbsent(key, k -> new ArrayList<>(1));
        if (!fresh) {
            for (int i = 0; i < connections.size(); i++) {
                Http2UpstreamConnection c = connections.get(i);
                if (c.takesStreams()) {
                    return c.openStream();
                }
            }
        }
        Http2UpstreamConnection c = new Http2UpstreamConnection(this, key, bootstrap);
        connections.add(c);
        return c.openStream();
    }

    /** An HTTP/2 connection closed: new streams go elsewhere. */
    void closed(Http2UpstreamConnection connection) {
        ArrayList<Http2UpstreamConnection> connections = http2.get(connection.key());
        if (connections != null && connections.remove(connection) && connections.isEmpty()) {
            http2.remove(connection.key());
        }
    }

    /** @return open HTTP/2 connections for {@code key} (tests, metrics) */
    public int http2Connections(UpstreamKey key) {
        ArrayList<Http2UpstreamConnection> connections = http2.get(key);
        return connections == null ? 0 : connections.size();
    }

    /** Returns a connection whose response ended cleanly and which may be reused; an HTTP/2 stream just ends. */
    public void release(UpstreamHandler handler) {
        release(handler, System.nanoTime());
    }

    /**
     * {@link #release(UpstreamHandler)} at {@code now}, a {@link System#nanoTime()} just read: the moment its age is
     * judged at and its idle time starts.
     */
    public void release(UpstreamHandler handler, long now) {
        handler.unbind();
        Channel ch = handler.channel();
        if (!ch.isActive()) {
            return;
        }
        if (idleTimeoutNanos == 0 || ch instanceof Http2StreamChannel) {
            ch.close(); // pooling turned off, or a stream (its connection stays for the next ones)
            return;
        }
        if (handler.spent(now) || !removed.isEmpty() && removed.contains(handler.endpoint())) {
            ch.close(); // too old, served its maximum, or its endpoint left the config while this request ran
            return;
        }
        ArrayDeque<UpstreamHandler> deque = idle.computeIfAbsent(handler.key(), k -> new ArrayDeque<>());
        if (deque.size() >= MAX_IDLE_PER_ENDPOINT) {
            ch.close();
            return;
        }
        deque.offerFirst(handler);
        handler.markIdle(now);
    }

    /**
     * A connection closed: it leaves the idle deque, and a deque left empty leaves the map, so endpoints that
     * left the config (pod churn) do not stay in it. Per connection close, never per request: an endpoint in
     * use keeps its deque while a connection to it is pooled.
     */
    void closed(UpstreamHandler handler, boolean wasIdle) {
        ArrayDeque<UpstreamHandler> deque = idle.get(handler.key());
        if (deque == null) {
            return;
        }
        if (wasIdle) {
            deque.remove(handler);
        }
        if (deque.isEmpty()) {
            idle.remove(handler.key());
        }
    }

    /**
     * A reload removed {@code gone} from every cluster (call on this pool's loop, after the new snapshot is
     * published): their idle connections close now, HTTP/2 connections take no new stream and close once their
     * streams end, and connections still serving a request close when it ends instead of returning to the pool.
     */
    public void endpointsRemoved(Set<InetSocketAddress> gone) {
        removed = gone;
        if (gone.isEmpty()) {
            return;
        }
        for (UpstreamKey key : new ArrayList<>(idle.keySet())) {
            if (gone.contains(key.endpoint())) {
                ArrayDeque<UpstreamHandler> deque = idle.remove(key);
                for (UpstreamHandler h : deque) {
                    h.channel().close();
                }
            }
        }
        for (UpstreamKey key : new ArrayList<>(http2.keySet())) {
            if (gone.contains(key.endpoint())) {
                for (Http2UpstreamConnection c : http2.remove(key)) {
                    c.retire();
                }
            }
        }
    }

    /** @return endpoints with a deque of idle connections (tests) */
    int endpoints() {
        return idle.size();
    }

    /** @return idle connections to an endpoint (tests, metrics) */
    public int idleCount(InetSocketAddress endpoint) {
        ArrayDeque<UpstreamHandler> deque = idle.get(UpstreamKey.http1(endpoint));
        return deque == null ? 0 : deque.size();
    }

    static UpstreamHttp1Codec newClientCodec() {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(8 * 1024)
                .setMaxHeaderSize(64 * 1024)
                .setMaxChunkSize(MAX_READ) // a read's body leaves as one piece: one write
                .setValidateHeaders(true)
                // a response with CL and TE, or two Content-Lengths, is a decoder failure (-> 502, connection
                // closed), never relayed with one reading chosen for the client
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(false);
        // like HttpClientCodec(config, false, true): a connection that closes mid-response is reported, never reused
        return new UpstreamHttp1Codec(config);
    }
}
