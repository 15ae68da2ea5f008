package dev.gatehouse.proxy.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A streaming test backend on loopback. Paths:
 * <ul>
 * <li>default: 200, body lists method, uri, received body bytes and every request header ("h:name=value")</li>
 * <li>/sse: text/event-stream, 3 events 300 ms apart (or {@code ?gap=MILLIS}), the first after one gap, each
 * flushed</li>
 * <li>/chunked: 200 chunked, 3 chunks</li>
 * <li>/slow: answers after 2 s</li>
 * <li>/ws: WebSocket echo (text frames, upper-cased)</li>
 * </ul>
 */
public final class TestBackend implements AutoCloseable {
    public final AtomicInteger requests = new AtomicInteger();
    public final AtomicInteger connections = new AtomicInteger();
    public final AtomicLong lastBodyBytes = new AtomicLong();
    /** bytes the /download handler has handed to its socket so far */
    public final AtomicLong downloadWritten = new AtomicLong();
    public final ConcurrentLinkedQueue<String> seenHeads = new ConcurrentLinkedQueue<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    public TestBackend() {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<HttpObject> {
        private HttpRequest head;
        private long bytes;
        private long downloadLeft;
        /** set by /mark-drop: the next request on this connection is answered by closing it (stale keep-alive) */
        private boolean dropNext;

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            pump(ctx);
            ctx.fireChannelWritabilityChanged();
        }

        /** Streams the /download body only while the socket is writable, like a well-behaved server. */
        private void pump(ChannelHandlerContext ctx) {
            boolean wrote = false;
            while (downloadLeft > 0 && ctx.channel().isWritable()) {
                int n = (int) Math.min(64 * 1024, downloadLeft);
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[n])));
                downloadLeft -= n;
                downloadWritten.addAndGet(n);
                wrote = true;
                if (downloadLeft == 0) {
                    ctx.write(LastHttpContent.EMPTY_LAST_CONTENT);
                }
            }
            if (wrote) {
                ctx.flush();
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest r) {
                if (dropNext) {
                    ctx.close();
                    return;
                }
                if (r.uri().startsWith("/mark-drop")) {
                    dropNext = true;
                }
                head = r;
                bytes = 0;
                requests.incrementAndGet();
                seenHeads.add(r.method() + " " + r.uri());
                if (r.uri().startsWith("/ws") && r.headers().containsValue(HttpHeaderNames.UPGRADE, "websocket", true)) {
                    ctx.pipeline().addAfter(ctx.name(), "agg", new HttpObjectAggregator(8192));
                    ctx.pipeline().addAfter("agg", "ws", new WebSocketServerProtocolHandler("/ws"));
                    ctx.pipeline().addAfter("ws", "echo", new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext c, TextWebSocketFrame f) {
                            c.writeAndFlush(new TextWebSocketFrame(f.text().toUpperCase()));
                        }
                    });
                    ctx.pipeline().remove(this);
                    ctx.fireChannelRead(io.netty.util.ReferenceCountUtil.retain(msg));
                    return;
                }
            }
            if (msg instanceof HttpContent c) {
                bytes += c.content().readableBytes();
            }
            if (msg instanceof LastHttpContent) {
                lastBodyBytes.set(bytes);
                respond(ctx, head);
            }
        }

        private void respond(ChannelHandlerContext ctx, HttpRequest r) {
            String path = r.uri();
            if (path.startsWith("/sse")) {
                DefaultHttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
                HttpUtil.setTransferEncodingChunked(res, true);
                ctx.writeAndFlush(res);
                long gap = path.contains("gap=") ? Long.parseLong(path.substring(path.indexOf("gap=") + 4)) : 300;
                for (int i = 0; i < 3; i++) {
                    int n = i;
                    ctx.executor().schedule(() -> {
                        ctx.writeAndFlush(new DefaultHttpContent(text("data: event" + n + "\n\n")));
                        if (n == 2) {
                            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                        }
                    }, gap * (i + 1), TimeUnit.MILLISECONDS);
                }
                return;
            }
            if (path.startsWith("/download")) {
                long size = Long.parseLong(path.substring(path.indexOf('=') + 1));
                DefaultHttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setContentLength(res, size);
                ctx.write(res);
                downloadWritten.set(0);
                downloadLeft = size;
                pump(ctx);
                ctx.flush();
                return;
            }
            if (path.startsWith("/die-mid")) {
                DefaultHttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setContentLength(res, 100);
                ctx.write(res);
                ctx.writeAndFlush(new DefaultHttpContent(text("only-ten!!"))).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (path.startsWith("/chunked")) {
                DefaultHttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setTransferEncodingChunked(res, true);
                ctx.write(res);
                for (int i = 0; i < 3; i++) {
                    ctx.write(new DefaultHttpContent(text("chunk" + i + ";")));
                }
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                return;
            }
            if (path.startsWith("/slow")) {
                ctx.executor().schedule(() -> ctx.writeAndFlush(full(r, "slow\n")), 2, TimeUnit.SECONDS);
                return;
            }
            StringBuilder sb = new StringBuilder();
            sb.append("method=").append(r.method()).append('\n');
            sb.append("uri=").append(r.uri()).append('\n');
            sb.append("bytes=").append(bytes).append('\n');
            for (Map.Entry<String, String> e : r.headers()) {
                sb.append("h:").append(e.getKey().toLowerCase()).append('=').append(e.getValue()).append('\n');
            }
            boolean keepAlive = HttpUtil.isKeepAlive(r);
            var f = ctx.writeAndFlush(full(r, sb.toString()));
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private DefaultFullHttpResponse full(HttpRequest r, String body) {
            DefaultFullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    text(body));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
            HttpUtil.setContentLength(res, res.content().readableBytes());
            return res;
        }

        private ByteBuf text(String s) {
            return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
        }
    }
}
