package dev.gatehouse.proxy.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.CharsetUtil;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An h2c (prior knowledge) backend on Netty's own server codec, answering by what the path contains:
 * {@code /slow} after 300 ms; {@code /grpc} a body and the trailers grpc-status 0, grpc-message ok; {@code /grpc-error} a Trailers-Only answer; {@code /echo}
 * streams the request body back, then trailers with its byte count; {@code /refuse} RST_STREAM(REFUSED_STREAM)
 * while {@link #refusals} lasts; anything else "ok PATH". Counts connections, requests and the most streams open
 * at once. Given a server {@link SslContext}, it speaks TLS first (HTTP/2 over TLS, whatever ALPN selects).
 */
public final class H2cBackend implements AutoCloseable {
    public final AtomicInteger refusals = new AtomicInteger();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    private final CopyOnWriteArrayList<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();

    public H2cBackend() throws InterruptedException {
        this(null);
    }

    public H2cBackend(SslContext tls) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                    @Override
                                    protected void initChannel(Http2StreamChannel stream) {
                                        stream.pipeline().addLast(new StreamHandler());
                                    }
                                }));
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Connections ever accepted. */
    public int connections() {
        return connections.size();
    }

    /** "METHOD PATH" of every request, in arrival order. */
    public java.util.List<String> requests() {
        return requests;
    }

    public int maxConcurrentStreams() {
        return maxOpen.get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class StreamHandler extends ChannelInboundHandlerAdapter {
        private String path;
        private long bytes;
        private boolean echoing;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame h) {
                    path = String.valueOf(h.headers().path());
                    requests.add(h.headers().method() + " " + path);
                    maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                    ctx.channel().closeFuture().addListener(f -> open.decrementAndGet());
                    if (path.contains("/refuse") && refusals.getAndDecrement() > 0) {
                        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
                        return;
                    }
                    if (path.contains("/echo")) {
                        echoing = true;
                        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")));
                    }
                    if (h.isEndStream()) {
                        respond(ctx);
                    }
                } else if (msg instanceof Http2DataFrame d) {
                    bytes += d.content().readableBytes();
                    if (echoing && d.content().isReadable()) {
                        ctx.writeAndFlush(new DefaultHttp2DataFrame(d.content().retain(), false));
                    }
                    if (d.isEndStream()) {
                        respond(ctx);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void respond(ChannelHandlerContext ctx) {
            if (echoing) {
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x-bytes",
                        Long.toString(bytes)), true));
            } else if (path.contains("/slow")) {
                ctx.executor().schedule(() -> answer(ctx, "ok " + path), 300, TimeUnit.MILLISECONDS);
            } else if (path.contains("/grpc-error")) {
                // gRPC's Trailers-Only: the status in the one HEADERS frame, which ends the stream
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                        .add("content-type", "application/grpc").add("grpc-status", "9").add("grpc-message", "refused"),
                        true));
            } else if (path.contains("/grpc")) {
                ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                        .add("content-type", "application/grpc")));
                ctx.write(new DefaultHttp2DataFrame(text("hi"), false));
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("grpc-status", "0")
                        .add("grpc-message", "ok"), true));
            } else {
                answer(ctx, "ok " + path);
            }
        }

        private void answer(ChannelHandlerContext ctx, String body) {
            ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                    .addInt("content-length", body.length())));
            ctx.writeAndFlush(new DefaultHttp2DataFrame(text(body), true));
        }

        private ByteBuf text(String s) {
            return Unpooled.copiedBuffer(s, CharsetUtil.US_ASCII);
        }
    }
}
