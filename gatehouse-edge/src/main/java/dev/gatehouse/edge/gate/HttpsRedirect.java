package dev.gatehouse.edge.gate;

import dev.gatehouse.proxy.http.HostHeader;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code --redirect-http}: the port-80 listener is an HTTP/1.1 server of its own that answers every request with
 * 301 to the same host and path on https; nothing reaches the cluster. Request bodies are read and dropped; a
 * keep-alive connection stays open for the next request until it is idle.
 */
public final class HttpsRedirect extends SimpleChannelInboundHandler<HttpObject> {
    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_HEADERS = 8192;
    /** A browser that got its redirect has no reason to keep the connection: the relay's idle timeout is too long. */
    private static final long MAX_IDLE_SECONDS = 60;

    private final int httpsPort;

    private HttpsRedirect(int httpsPort) {
        this.httpsPort = httpsPort;
    }

    /**
     * Builds the listener's pipeline.
     *
     * @param httpsPort the port the redirects name (left out of the URL when 443)
     * @param idleSeconds a connection with no request for this long (at most a minute) is closed
     */
    public static void init(ChannelPipeline pipeline, int httpsPort, long idleSeconds) {
        pipeline.addLast("idle", new IdleStateHandler(0, 0, Math.min(idleSeconds, MAX_IDLE_SECONDS), TimeUnit.SECONDS))
                .addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, 8192))
                .addLast("keep-alive", new HttpServerKeepAliveHandler())
                .addLast("redirect", new HttpsRedirect(httpsPort));
    }

    /** The port the redirects name: 443 when the edge listens there, else its first listen port but 80. */
    public static int httpsPort(List<InetSocketAddress> listens) {
        int other = 443;
        for (InetSocketAddress a : listens) {
            if (a.getPort() == 443) {
                return 443;
            }
            if (a.getPort() != 80 && other == 443) {
                other = a.getPort();
            }
        }
        return other;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (!(msg instanceof HttpRequest request)) {
            return; // body content: dropped (SimpleChannelInboundHandler releases it)
        }
        if (request.decoderResult().isFailure()) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, null, true);
            return;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        String authority = host == null || request.headers().getAll(HttpHeaderNames.HOST).size() > 1 ? null
                : authority(host);
        if (authority == null) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, null, true);
            return;
        }
        String uri = request.uri();
        // an absolute-form target (a proxy's request) keeps only its path
        if (!uri.startsWith("/")) {
            int pathAt = uri.indexOf('/', uri.indexOf("://") + 3);
            uri = uri.contains("://") && pathAt > 0 ? uri.substring(pathAt) : "/";
        }
        respond(ctx, request, HttpResponseStatus.MOVED_PERMANENTLY, "https://" + authority + uri, false);
    }

    /** host[:port] of the https URL: the Host header's name and the https port; null if the header is not a host. */
    private String authority(String host) {
        String name = HostHeader.withoutPort(host);
        if (name == null) {
            return null;
        }
        return httpsPort == 443 ? name : name + ':' + httpsPort;
    }

    private static void respond(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status,
                                String location, boolean close) {
        byte[] body = (location == null ? status.reasonPhrase() : location).concat("\n")
                .getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (location != null) {
            response.headers().set(HttpHeaderNames.LOCATION, location);
        }
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
        ctx.writeAndFlush(response);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
