package dev.gatehouse.proxy.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend that measures how much concurrency the gateway puts on it: requests in flight (head received,
 * response not yet written, connection still open) now and at most. Paths under {@code /hold} are answered
 * after {@code holdMillis}, so concurrent streams pile up; everything else at once.
 */
public final class ConcurrencyBackend implements AutoCloseable {
    public final AtomicInteger inFlight = new AtomicInteger();
    public final AtomicInteger maxInFlight = new AtomicInteger();
    public final AtomicInteger requests = new AtomicInteger();
    /**
     * Every request target received: a test asking whether its own request got through looks for its path here
     * rather than comparing {@link #requests} before and after, which an earlier test's requests still on their
     * way through the gateway (a loaded machine) can move.
     */
    public final Set<String> targets = ConcurrentHashMap.newKeySet();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final long holdMillis;

    public ConcurrencyBackend(long holdMillis) {
        this.holdMillis = holdMillis;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public void resetMax() {
        maxInFlight.set(inFlight.get());
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private boolean pending;
        private boolean hold;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest r) {
                    requests.incrementAndGet();
                    targets.add(r.uri());
                    pending = true;
                    hold = r.uri().startsWith("/hold");
                    int now = inFlight.incrementAndGet();
                    maxInFlight.accumulateAndGet(now, Math::max);
                }
                if (msg instanceof LastHttpContent && pending) {
                    if (hold) {
                        ctx.executor().schedule(() -> respond(ctx), holdMillis, TimeUnit.MILLISECONDS);
                    } else {
                        respond(ctx);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void respond(ChannelHandlerContext ctx) {
            if (!pending) {
                return;
            }
            pending = false;
            inFlight.decrementAndGet();
            if (!ctx.channel().isActive()) {
                return;
            }
            DefaultFullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("ok\n", StandardCharsets.US_ASCII));
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, 3);
            ctx.writeAndFlush(res);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (pending) {
                pending = false;
                inFlight.decrementAndGet();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
