package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.http.ConnectionTimeoutHandler;
import dev.gatehouse.proxy.http.HttpProxyHandler;
import dev.gatehouse.proxy.http.ProxyContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.AsciiString;

/**
 * Builds the pipeline of an accepted plain-text HTTP connection. One port serves HTTP/1.1, h2c with prior
 * knowledge and h2c via {@code Upgrade: h2c}:
 * <pre>
 * timeouts -> CleartextHttp2ServerUpgradeHandler (peeks at the preface)
 *          -> HttpServerCodec -> H2cUpgradeHandler -> HttpProxyHandler          (HTTP/1.1)
 *          -> FlushConsolidation -> Http2FrameCodec -> Http2MultiplexHandler      (h2c)
 *               each stream: Http2StreamFrameToHttpObjectCodec -> HttpProxyHandler
 * </pre>
 * Stream channels run on the connection's event loop, so upstream connections of h2 requests come from
 * the same per-loop pool as HTTP/1.1 ones.
 */
final class FrontendInitializer extends ChannelInitializer<Channel> {
    /** Per-connection concurrent streams (Envoy's edge guidance and Netty 4.2's default). */
    static final int MAX_CONCURRENT_STREAMS = 100;
    /** HTTP/2 connection flow-control window (Envoy's edge guidance and Armeria's default). */
    static final int CONNECTION_WINDOW = 1024 * 1024;

    private final ProxyContext context;
    private final ServerOptions options;
    private final HttpDecoderConfig decoderConfig;

    FrontendInitializer(ProxyContext context, ServerOptions options) {
        this.context = context;
        this.options = options;
        this.decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(options.maxInitialLineLength())
                .setMaxHeaderSize(options.maxHeaderSize())
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true)
                .setStrictLineParsing(true)
                // TE + CL, TE on HTTP/1.0 and a non-final chunked are decoder failures (-> 400)
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(false);
    }

    @Override
    protected void initChannel(Channel ch) {
        ConnectionTimeoutHandler timeouts = new ConnectionTimeoutHandler(options.headerReadTimeout(), options.idleTimeout());
        HttpServerCodec codec = new HttpServerCodec(decoderConfig.clone());
        HttpServerUpgradeHandler upgrade = new H2cUpgradeHandler(codec, protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                        ? new Http2ServerUpgradeCodec(newFrameCodec(), newMultiplexHandler(), new Http2Mode(timeouts))
                        : null);
        ChannelHandler priorKnowledge = new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                c.pipeline().addLast(new FlushConsolidationHandler(256, true), newFrameCodec(), newMultiplexHandler(),
                        new Http2Mode(timeouts));
            }
        };
        ChannelPipeline p = ch.pipeline();
        p.addLast("timeouts", timeouts);
        p.addLast("h2c", new CleartextHttp2ServerUpgradeHandler(codec, upgrade, priorKnowledge));
        p.addLast("proxy", new HttpProxyHandler(context, timeouts));
    }

    private Http2FrameCodec newFrameCodec() {
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                        .maxHeaderListSize(options.maxHeaderSize()))
                .validateHeaders(true)
                .build();
    }

    private Http2MultiplexHandler newMultiplexHandler() {
        ChannelInitializer<Http2StreamChannel> stream = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Http2StreamChannel c) {
                c.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                        HttpProxyHandler.forHttp2Stream(context));
            }
        };
        return new Http2MultiplexHandler(stream, stream);
    }

    /**
     * Added once the connection speaks h2: the HTTP/1.1 proxy handler of the connection is no longer
     * needed (each stream has its own) and no request head deadline applies to the connection.
     */
    private static final class Http2Mode extends ChannelInboundHandlerAdapter {
        private final ConnectionTimeoutHandler timeouts;

        Http2Mode(ConnectionTimeoutHandler timeouts) {
            this.timeouts = timeouts;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            timeouts.stopHeadTimeout();
            // The connection window is not raised by SETTINGS (RFC 9113 6.9.2) and stays at 64 KiB - 1
            // unless we say so; 1 MiB lets uploads on several streams flow without a round trip per 64 KiB.
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE))
                    .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
            ChannelPipeline p = ctx.pipeline();
            if (p.get(HttpProxyHandler.class) != null) {
                p.remove(HttpProxyHandler.class);
            }
            p.remove(this);
        }
    }
}
