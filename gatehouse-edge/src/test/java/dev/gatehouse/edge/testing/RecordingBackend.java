package dev.gatehouse.edge.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What stands for a node's NodePort in the edge's tests: takes a PROXY header (v1 or v2), records who it names,
 * answers an HTTP request head with its own name and closes; a TLS ClientHello is recorded and closed.
 */
public final class RecordingBackend implements AutoCloseable {
    /** One connection the backend got: the client the PROXY header named, and what came first. */
    public record Seen(String proxiedSource, String kind) {
    }

    private final String name;
    private final EventLoopGroup group;
    private final Channel server;
    public final List<Seen> seen = new CopyOnWriteArrayList<>();

    private RecordingBackend(String name, EventLoopGroup group, Channel server) {
        this.name = name;
        this.group = group;
        this.server = server;
    }

    /** @throws Exception when the address cannot be bound (e.g. the port is taken on that address) */
    public static RecordingBackend start(String name, InetSocketAddress address) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        RecordingBackend[] self = new RecordingBackend[1];
        try {
            Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel c) {
                            c.pipeline().addLast(new HAProxyMessageDecoder(), new Recorder(self[0]));
                        }
                    }).bind(address).sync().channel();
            self[0] = new RecordingBackend(name, group, ch);
            return self[0];
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private static final class Recorder extends ChannelInboundHandlerAdapter {
        private final RecordingBackend backend;
        private final ByteBuf head = Unpooled.buffer();
        private String source = "none";
        private boolean done;

        Recorder(RecordingBackend backend) {
            this.backend = backend;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HAProxyMessage m) {
                    source = m.sourceAddress() + ":" + m.sourcePort();
                } else if (msg instanceof ByteBuf b && !done) {
                    head.writeBytes(b);
                    if (head.getByte(0) == 0x16) {
                        done = true;
                        backend.seen.add(new Seen(source, "tls"));
                        ctx.close();
                    } else if (ByteBufUtil.indexOf(Unpooled.wrappedBuffer(new byte[] {'\r', '\n', '\r', '\n'}), head) >= 0) {
                        done = true;
                        backend.seen.add(new Seen(source, "http"));
                        byte[] body = backend.name.getBytes(StandardCharsets.US_ASCII);
                        ctx.writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\ncontent-length: " + body.length
                                + "\r\nconnection: close\r\n\r\n" + backend.name, StandardCharsets.US_ASCII))
                                .addListener(ChannelFutureListener.CLOSE);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            head.release();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
