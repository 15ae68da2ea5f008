package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.ClientTrafficSpec;
import dev.gatehouse.proxy.http.Http2ClientStreams;
import dev.gatehouse.proxy.http.HttpProxyHandler;
import dev.gatehouse.proxy.observe.ExchangeObserver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.codec.http2.InboundHttpToHttp2Adapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * The h2 side of a client connection: Netty's connection handler (HPACK, flow control, the stream states and the
 * limits its {@link Builder} sets) as its own frame listener, handing each request stream to
 * {@link Http2ClientStreams} with no child channel and no conversion codec per stream. Besides:
 * <ul>
 *   <li>once added: the head deadline follows the open streams ({@link Http2StreamCount}), the connection gauge
 *       moves to h2, the connection window grows to {@link FrontendInitializer#CONNECTION_WINDOW}, and the
 *       connection's HTTP/1.1 proxy handler leaves;</li>
 *   <li>the flood guard ({@link Http2FloodGuard}) counts PINGs, SETTINGS and client-provoked stream errors;</li>
 *   <li>with an observer, stream errors and GOAWAYs sent are reported ({@link Http2CodecObservation});</li>
 *   <li>the h2c upgrade's request becomes stream 1, as Netty's frame codec does it.</li>
 * </ul>
 */
final class Http2Frontend extends Http2ConnectionHandler implements Http2FrameListener {
    private static final Logger LOG = LoggerFactory.getLogger(Http2Frontend.class);

    private final Http2ClientStreams streams;
    private final Http2StreamCount count;
    private final ConnectionCounter counter;
    private final ExchangeObserver observer;
    private final int port;
    private final Http2FloodGuard guard = new Http2FloodGuard();

    private Http2Frontend(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings,
                          boolean decoupleCloseAndGoAway, boolean flushPreface, Builder b) {
        super(decoder, encoder, settings, decoupleCloseAndGoAway, flushPreface);
        this.streams = b.streams.apply(this);
        this.count = b.count;
        this.counter = b.counter;
        this.observer = b.observer;
        this.port = b.port;
        decoder.frameListener(this);
        connection().remote().flowController().listener(streams::writabilityChanged);
        connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamActive(Http2Stream stream) {
                count.streamOpened();
                if (observer != null) {
                    observer.streamOpened();
                }
            }

            @Override
            public void onStreamClosed(Http2Stream stream) {
                streams.streamClosed(stream);
                count.streamClosed();
                if (observer != null) {
                    observer.streamClosed();
                }
            }

            @Override
            public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
                if (observer != null) {
                    try {
                        observer.http2GoAwaySent(port, Http2CodecObservation.errorName(errorCode));
                    } catch (RuntimeException e) {
                        LOG.warn("observer failed", e);
                    }
                }
            }
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        streams.attach(ctx);
        count.connectionStarted(ctx);
        if (counter != null) {
            counter.switchedToHttp2(ctx.channel());
        }
        // The connection window is not raised by SETTINGS (RFC 9113 6.9.2) and stays at 64 KiB - 1
        // unless we say so; 1 MiB lets uploads on several streams flow without a round trip per 64 KiB.
        connection().local().flowController().incrementWindowSize(connection().connectionStream(),
                FrontendInitializer.CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE);
        flush(ctx);
        ChannelPipeline p = ctx.pipeline();
        if (p.get(HttpProxyHandler.class) != null) {
            p.remove(HttpProxyHandler.class); // each stream has its own
        }
    }

    /** h2c upgrade: the request that asked for it is stream 1's (already half-closed by the upgrade). */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent upgrade) {
            try {
                upgrade.upgradeRequest().headers().setInt(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text(),
                        Http2CodecUtil.HTTP_UPGRADE_STREAM_ID);
                new InboundHttpToHttp2Adapter(connection(), this).channelRead(ctx, upgrade.upgradeRequest().retain());
            } finally {
                upgrade.release();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        streams.readComplete(); // before the handler's own flush, so what the streams wrote leaves with it
        super.channelReadComplete(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            super.exceptionCaught(ctx, cause);
            return;
        }
        LOG.debug("client connection error, closing {}", ctx.channel(), cause);
        ctx.close();
    }

    @Override
    public void onError(ChannelHandlerContext ctx, boolean outbound, Throwable cause) {
        if (observer != null && !outbound) {
            Http2CodecObservation.streamErrors(observer, port, cause);
        }
        super.onError(ctx, outbound, cause);
    }

    /**
     * A stream error the client provoked on a stream it opened counts toward MadeYouReset (CVE-2025-8671); past the
     * budget, GOAWAY(ENHANCE_YOUR_CALM). Once the GOAWAY is out no more streams are reset: the connection closes
     * with all of them, and each reset would spend more of our writes on the attacker.
     */
    @Override
    protected void onStreamError(ChannelHandlerContext ctx, boolean outbound, Throwable cause,
                                 Http2Exception.StreamException http2Ex) {
        if (!outbound && connection().stream(http2Ex.streamId()) != null) {
            if (guard.closing()) {
                return;
            }
            if (guard.streamError()) {
                goAway(ctx, "stream error flood (MadeYouReset)");
                return;
            }
        }
        super.onStreamError(ctx, outbound, cause, http2Ex);
    }

    private void goAway(ChannelHandlerContext ctx, String why) {
        if (!guard.close()) {
            return;
        }
        LOG.debug("{}: {}, sending GOAWAY(ENHANCE_YOUR_CALM)", ctx.channel(), why);
        goAway(ctx, connection().remote().lastStreamCreated(), Http2Error.ENHANCE_YOUR_CALM.code(),
                Unpooled.EMPTY_BUFFER, ctx.newPromise()).addListener(ChannelFutureListener.CLOSE);
        ctx.flush();
    }

    // ---------------------------------------------------------------- Http2FrameListener

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        return streams.onData(streamId, data, padding, endOfStream);
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                              boolean endOfStream) throws Http2Exception {
        streams.onHeaders(streamId, headers, endOfStream);
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                              short weight, boolean exclusive, int padding, boolean endOfStream)
            throws Http2Exception {
        streams.onHeaders(streamId, headers, endOfStream);
    }

    @Override
    public void onPriorityRead(ChannelHandlerContext ctx, int streamId, int streamDependency, short weight,
                               boolean exclusive) {
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        // the stream closes, and with it its exchange (Http2ClientStreams#streamClosed)
    }

    @Override
    public void onSettingsAckRead(ChannelHandlerContext ctx) {
    }

    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
        if (guard.settings()) {
            goAway(ctx, "SETTINGS flood");
        }
    }

    @Override
    public void onPingRead(ChannelHandlerContext ctx, long data) {
        if (guard.ping()) {
            goAway(ctx, "PING flood");
        }
    }

    @Override
    public void onPingAckRead(ChannelHandlerContext ctx, long data) {
    }

    @Override
    public void onPushPromiseRead(ChannelHandlerContext ctx, int streamId, int promisedStreamId,
                                  Http2Headers headers, int padding) {
    }

    @Override
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
    }

    @Override
    public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {
    }

    @Override
    public void onUnknownFrame(ChannelHandlerContext ctx, byte frameType, int streamId, Http2Flags flags,
                               ByteBuf payload) {
    }

    /**
     * A server {@link Http2Frontend} with the port's limits: the settings it advertises, header validation, and
     * Netty's guards against resets, CONTINUATION and empty-DATA floods and unread control frames.
     */
    static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Http2Frontend, Builder> {
        private final Function<Http2ConnectionHandler, Http2ClientStreams> streams;
        private final Http2StreamCount count;
        private final ConnectionCounter counter;
        private final ExchangeObserver observer;
        private final int port;

        /**
         * @param streams makes the connection's streams, given the handler
         * @param counter the connection gauges; null when nothing observes
         * @param observer reports stream errors and GOAWAYs; null when nothing observes
         */
        Builder(ClientTrafficSpec spec, Function<Http2ConnectionHandler, Http2ClientStreams> streams,
                Http2StreamCount count, ConnectionCounter counter, ExchangeObserver observer, int port) {
            this.streams = streams;
            this.count = count;
            this.counter = counter;
            this.observer = observer;
            this.port = port;
            server(true);
            gracefulShutdownTimeoutMillis(0); // as Http2FrameCodecBuilder.forServer(): the drain sets its own
            initialSettings(Http2Settings.defaultSettings()
                    .maxConcurrentStreams(spec.http2MaxConcurrentStreams())
                    .maxHeaderListSize(spec.http2MaxHeaderListBytes()));
            // Netty 4.2 validates names (lower case, no connection-specific fields, pseudo-headers) and
            // values (no CR, LF, NUL) when this is on: the h2 -> HTTP/1.1 downgrade can't smuggle
            validateHeaders(true);
            headerSensitivityDetector(UniqueValueHeaders.INSTANCE);
            decoderEnforceMaxRstFramesPerWindow(FrontendInitializer.MAX_CLIENT_RESETS,
                    FrontendInitializer.RESET_WINDOW_SECONDS);
            encoderEnforceMaxRstFramesPerWindow(FrontendInitializer.MAX_SERVER_RESETS,
                    FrontendInitializer.RESET_WINDOW_SECONDS);
            decoderEnforceMaxSmallContinuationFrames(FrontendInitializer.MAX_SMALL_CONTINUATIONS);
            decoderEnforceMaxConsecutiveEmptyDataFrames(FrontendInitializer.MAX_EMPTY_DATA_FRAMES);
            encoderEnforceMaxQueuedControlFrames(FrontendInitializer.MAX_QUEUED_CONTROL_FRAMES);
        }

        @Override
        protected Http2Frontend build() {
            return super.build();
        }

        @Override
        protected Http2Frontend build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                      Http2Settings initialSettings) {
            return new Http2Frontend(decoder, encoder, initialSettings, decoupleCloseAndGoAway(), flushPreface(),
                    this);
        }
    }
}
