package dev.gatehouse.proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import javax.net.ssl.SSLException;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 connection (prior knowledge in cleartext; over TLS, "h2" by ALPN) to a backend, owned by one event
 * loop's {@link UpstreamPool}: every request of that loop to the same {@link UpstreamKey} opens a stream on it, up
 * to the backend's SETTINGS_MAX_CONCURRENT_STREAMS (and {@link #MAX_STREAMS}). A stream is a child channel whose
 * pipeline is an {@link UpstreamStreamCodec} and an {@link UpstreamHandler}, so the exchange drives it as it drives
 * an HTTP/1.1 connection, with the stream's flow-control window as its writability. Requests that arrive while the
 * connection is being set up wait for it rather than opening connections of their own. Over TLS, streams open only
 * once the handshake is done and the backend selected h2: one that did not (an HTTP/1.1-only server) fails every
 * waiting request with that reason (a 502), not with a vague "connection closed" after our preface.
 *
 * <p>It takes no new stream after a GOAWAY, and closes once its last stream ended; an idle one closes after the
 * pool's idle timeout (checked lazily by one timer, not one per request).
 */
final class Http2UpstreamConnection {
    /** Streams at once per connection, whatever the backend allows: past it the pool opens another connection. */
    static final int MAX_STREAMS = 100;
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString HTTPS = AsciiString.cached("https");
    /** Server push is off (SETTINGS_ENABLE_PUSH 0): a stream the backend opens anyway is closed. */
    private static final ChannelHandler REFUSE_PUSHED = new RefusePushed();
    /** A socket error the codec passes on (reset, ...): the connection is done; its streams learn it by closing. */
    private static final ChannelHandler CLOSE_ON_ERROR = new CloseOnError();

    private final UpstreamPool pool;
    private final UpstreamKey key;
    private final EventLoop loop;
    private final ChannelFuture connect;
    /** the connect, or over TLS the handshake that selected h2: streams open once it succeeded */
    private final Future<?> ready;
    private final Http2StreamChannelBootstrap streams;
    private int open;
    /** its endpoint left the config: no new stream, closed when the last one ends */
    private boolean retired;
    private long idleSinceNanos;
    private ScheduledFuture<?> idleCheck;

    Http2UpstreamConnection(UpstreamPool pool, UpstreamKey key, Bootstrap bootstrap) {
        this.pool = pool;
        this.key = key;
        this.loop = pool.loop();
        Promise<Void> negotiated = key.tlsIdentity() == null ? null : loop.newPromise();
        this.connect = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (negotiated != null) {
                    SslHandler ssl = key.tlsIdentity().newH2Handler(ch.alloc(), key.endpoint());
                    ssl.handshakeFuture().addListener(f -> negotiated(ssl, f, negotiated));
                    ch.pipeline().addLast(ssl);
                }
                ch.pipeline().addLast(Http2FrameCodecBuilder.forClient()
                                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false)).build(),
                        new Http2MultiplexHandler(REFUSE_PUSHED), CLOSE_ON_ERROR);
            }
        }).connect(key.endpoint());
        if (negotiated != null) {
            connect.addListener(f -> {
                if (!f.isSuccess()) {
                    negotiated.tryFailure(f.cause());
                }
            });
        }
        this.ready = negotiated == null ? connect : negotiated;
        Channel parent = connect.channel();
        AsciiString scheme = key.tlsIdentity() == null ? HTTP : HTTPS;
        this.streams = new Http2StreamChannelBootstrap(parent).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new UpstreamStreamCodec(scheme), new UpstreamHandler(pool, key));
            }
        });
        parent.closeFuture().addListener(f -> closed());
    }

    UpstreamKey key() {
        return key;
    }

    /** The connection's own channel (tests count them). */
    Channel channel() {
        return connect.channel();
    }

    /** @return whether a new stream may be opened here now */
    boolean takesStreams() {
        Channel ch = connect.channel();
        if (open >= MAX_STREAMS || connect.isDone() && !ch.isActive()) {
            return false;
        }
        if (!connect.isDone()) {
            return true;
        }
        Http2FrameCodec codec = ch.pipeline().get(Http2FrameCodec.class);
        if (codec == null) {
            return false;
        }
        Http2Connection c = codec.connection();
        return !c.goAwayReceived() && !c.goAwaySent() && open < c.local().maxActiveStreams();
    }

    private static void negotiated(SslHandler ssl, Future<?> handshake, Promise<Void> negotiated) {
        if (!handshake.isSuccess()) {
            negotiated.tryFailure(handshake.cause());
            return;
        }
        String selected = ssl.applicationProtocol();
        if (ApplicationProtocolNames.HTTP_2.equals(selected)) {
            negotiated.trySuccess(null);
            return;
        }
        // an SSLException, so the 502 says "TLS handshake failed: ..." like any other TLS refusal
        negotiated.tryFailure(new SSLException("the backend did not select h2 by ALPN ("
                + (selected == null ? "it selected no protocol" : "it selected " + selected) + ")"));
        ((Channel) handshake.getNow()).close();
    }

    /** Opens a stream once the connection is up; the future fails with the connect (or TLS, ALPN) failure. */
    Future<Http2StreamChannel> openStream() {
        open++;
        Promise<Http2StreamChannel> promise = loop.newPromise();
        if (ready.isDone()) {
            open(promise);
        } else {
            ready.addListener(f -> open(promise));
        }
        return promise;
    }

    private void open(Promise<Http2StreamChannel> promise) {
        if (!ready.isSuccess()) {
            open--;
            promise.setFailure(ready.cause());
            return;
        }
        streams.open().addListener(f -> {
            if (!f.isSuccess()) {
                streamEnded();
                promise.setFailure(f.cause());
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
            stream.closeFuture().addListener(c -> streamEnded());
            if (!promise.trySuccess(stream)) {
                stream.close();
            }
        });
    }

    private void streamEnded() {
        open--;
        if (open > 0) {
            return;
        }
        Channel ch = connect.channel();
        Http2FrameCodec codec = ch.pipeline().get(Http2FrameCodec.class);
        if (retired || pool.idleTimeoutNanos() == 0 || codec != null && codec.connection().goAwayReceived()) {
            ch.close();
            return;
        }
        idleSinceNanos = System.nanoTime();
        if (idleCheck == null) {
            idleCheck = loop.schedule(this::checkIdle, pool.idleTimeoutNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** The pool let go of this connection (its endpoint was removed): it closes once no stream is open. */
    void retire() {
        retired = true;
        if (open == 0) {
            connect.channel().close();
        }
    }

    private void checkIdle() {
        idleCheck = null;
        if (open > 0 || !connect.channel().isActive()) {
            return; // the next idle moment arms it again
        }
        long left = idleSinceNanos + pool.idleTimeoutNanos() - System.nanoTime();
        if (left <= 0) {
            connect.channel().close();
        } else {
            idleCheck = loop.schedule(this::checkIdle, left, TimeUnit.NANOSECONDS);
        }
    }

    private void closed() {
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
        pool.closed(this);
    }

    @ChannelHandler.Sharable
    private static final class RefusePushed extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.channel().close();
        }
    }

    @ChannelHandler.Sharable
    private static final class CloseOnError extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
