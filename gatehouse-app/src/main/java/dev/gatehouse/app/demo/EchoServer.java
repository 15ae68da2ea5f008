package dev.gatehouse.app.demo;

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
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small HTTP/1.1 backend that answers every request with a JSON description of what it received
 * (pod name, method, path, host, headers, body byte count). Bodies are counted as they stream, never
 * held. {@code GET /sse} streams five server-sent events, 200 ms apart, to show streaming through the gateway.
 */
public final class EchoServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;
    private final String pod;
    private final String namespace;
    private final AtomicLong requests = new AtomicLong();

    public EchoServer(InetSocketAddress address, String pod, String namespace) throws InterruptedException {
        this.pod = pod;
        this.namespace = namespace;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new EchoHandler());
                    }
                }).bind(address).sync().channel();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Requests whose head this backend has received: tests assert that rejected requests never got here. */
    public long requests() {
        return requests.get();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private final class EchoHandler extends SimpleChannelInboundHandler<HttpObject> {
        private HttpRequest request;
        private long bodyBytes;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest r) {
                request = r;
                bodyBytes = 0;
                requests.incrementAndGet();
            }
            if (msg instanceof HttpContent c) {
                bodyBytes += c.content().readableBytes();
            }
            if (msg instanceof LastHttpContent && request != null) {
                if (request.uri().equals("/sse")) {
                    streamEvents(ctx, 5);
                } else {
                    respond(ctx);
                }
                request = null;
            }
        }

        private void respond(ChannelHandlerContext ctx) {
            Map<String, String> headers = new TreeMap<>();
            request.headers().forEach(e -> headers.merge(e.getKey().toLowerCase(), e.getValue(), (a, b) -> a + "," + b));
            StringBuilder json = new StringBuilder(256).append('{');
            field(json, "pod", pod).append(',');
            field(json, "namespace", namespace).append(',');
            field(json, "method", request.method().name()).append(',');
            field(json, "path", request.uri()).append(',');
            field(json, "host", request.headers().get(HttpHeaderNames.HOST, "")).append(',');
            json.append("\"bodyBytes\":").append(bodyBytes).append(",\"headers\":{");
            boolean first = true;
            for (Map.Entry<String, String> e : headers.entrySet()) {
                if (!first) {
                    json.append(',');
                }
                first = false;
                field(json, e.getKey(), e.getValue());
            }
            json.append("}}\n");
            ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            var future = ctx.writeAndFlush(response);
            if (!keepAlive) {
                future.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private void streamEvents(ChannelHandlerContext ctx, int count) {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                    .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
            ctx.writeAndFlush(head);
            for (int i = 1; i <= count; i++) {
                int n = i;
                ctx.executor().schedule(() -> {
                    String event = "id: " + n + "\ndata: {\"pod\":\"" + pod + "\",\"event\":" + n + "}\n\n";
                    ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(event, StandardCharsets.UTF_8)));
                    if (n == count) {
                        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                    }
                }, 200L * i, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static StringBuilder field(StringBuilder json, String name, String value) {
        json.append('"').append(escape(name)).append("\":\"").append(escape(value)).append('"');
        return json;
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
