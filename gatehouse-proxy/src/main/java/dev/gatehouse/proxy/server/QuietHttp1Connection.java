package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.http.ConnectionTimeoutHandler;
import dev.gatehouse.proxy.http.HttpProxyHandler;
import dev.gatehouse.proxy.http.ProxyContext;
import dev.gatehouse.proxy.http1.StrictHttpServerCodec;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;

import java.time.Duration;

/**
 * The HTTP/1.1 stack of one port's connections: it builds their codec and proxy handler, and stands in for both
 * while a keep-alive connection is quiet between requests ({@link ConnectionTimeoutHandler#QUIET}): one instance
 * shared by all the port's connections, so a quiet connection holds one pipeline context instead of the codec
 * (decoder with its parse buffer, encoder, method queue) and the proxy handler with their contexts, about 1 KiB.
 * The first bytes of the next request put a new codec and proxy handler back and go through them.
 */
@ChannelHandler.Sharable
final class QuietHttp1Connection extends ChannelInboundHandlerAdapter {
    static final String CODEC = "http1";
    static final String PROXY = "proxy";

    private final ProxyContext context;
    private final HttpDecoderConfig decoderConfig;
    private final int maxHeaderFields;
    private final Duration backendTimeout;

    QuietHttp1Connection(ProxyContext context, HttpDecoderConfig decoderConfig, int maxHeaderFields,
                         Duration backendTimeout) {
        this.context = context;
        this.decoderConfig = decoderConfig;
        this.maxHeaderFields = maxHeaderFields;
        this.backendTimeout = backendTimeout;
    }

    StrictHttpServerCodec newCodec() {
        return new StrictHttpServerCodec(decoderConfig.clone());
    }

    HttpProxyHandler newProxyHandler(ConnectionTimeoutHandler timeouts) {
        return new HttpProxyHandler(context, timeouts, maxHeaderFields, backendTimeout, this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ChannelPipeline p = ctx.pipeline();
        p.addAfter(ctx.name(), CODEC, newCodec());
        p.addAfter(CODEC, PROXY, newProxyHandler(p.get(ConnectionTimeoutHandler.class)));
        p.remove(this);
        // a removed context still leads to the handlers after it: the codec now
        ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
