package dev.gatehouse.proxy.server;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Counts what a client can make us do for free, per fixed window, and ends the connection with
 * GOAWAY(ENHANCE_YOUR_CALM) when it asks for more than a legitimate client ever would:
 * <ul>
 *   <li>PING and SETTINGS frames (each costs an ACK). Netty's {@code encoderEnforceMaxQueuedControlFrames} only
 *       catches a flooder that does not read its ACKs; one that reads them would otherwise burn a core.</li>
 *   <li>Stream errors the client provokes on ACTIVE streams (MadeYouReset, CVE-2025-8671: a zero WINDOW_UPDATE,
 *       a flow-control violation, a malformed frame). Netty's frame codec does not reset those streams itself:
 *       it hands the error to the stream, whose handler closes it with RST_STREAM(CANCEL), and CANCEL is
 *       exempt from Netty's {@code encoderEnforceMaxRstFramesPerWindow}, so without this count a client could
 *       start and kill backend requests forever.</li>
 * </ul>
 * Sits right after the frame codec (stream errors travel the connection pipeline before the multiplexer
 * routes them to their stream).
 */
final class Http2FloodGuard extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(Http2FloodGuard.class);
    static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** PINGs per window: keep-alive pingers send one every few seconds; 100/s is far beyond that. */
    static final int MAX_PINGS_PER_WINDOW = 1000;
    /** SETTINGS per window: a client sends one, maybe a few; 100 is abuse. */
    static final int MAX_SETTINGS_PER_WINDOW = 100;
    /** Client-provoked stream errors per window (the same budget as Netty's server-sent RST limit). */
    static final int MAX_STREAM_ERRORS_PER_WINDOW = FrontendInitializer.MAX_SERVER_RESETS;
    static final long STREAM_ERROR_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(FrontendInitializer.RESET_WINDOW_SECONDS);

    private long windowStartNanos = System.nanoTime();
    private int pings;
    private int settings;
    private long streamErrorWindowStartNanos = System.nanoTime();
    private int streamErrors;
    private boolean closing;

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException) {
            if (closing) {
                // the GOAWAY is out and the connection closes with every stream: resetting the streams the
                // flood keeps provoking in the meantime would only spend more of our writes on the attacker
                return;
            }
            long now = System.nanoTime();
            if (now - streamErrorWindowStartNanos >= STREAM_ERROR_WINDOW_NANOS) {
                streamErrorWindowStartNanos = now;
                streamErrors = 0;
            }
            if (++streamErrors > MAX_STREAM_ERRORS_PER_WINDOW) {
                goAway(ctx, "stream error flood (MadeYouReset)");
            }
            ctx.fireExceptionCaught(cause); // the multiplexer routes it to its stream, which closes
            return;
        }
        if (cause instanceof Http2Exception) {
            // a connection error: the codec already sent GOAWAY and is closing; one WARN per abusive
            // connection at the pipeline's tail would hand the attacker our log volume
            LOG.debug("{}: HTTP/2 connection error", ctx.channel(), cause);
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2PingFrame ping && !ping.ack()) {
            roll();
            if (++pings > MAX_PINGS_PER_WINDOW) {
                ReferenceCountUtil.release(msg);
                goAway(ctx, "PING flood");
                return;
            }
        } else if (msg instanceof Http2SettingsFrame) {
            roll();
            if (++settings > MAX_SETTINGS_PER_WINDOW) {
                ReferenceCountUtil.release(msg);
                goAway(ctx, "SETTINGS flood");
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void roll() {
        long now = System.nanoTime();
        if (now - windowStartNanos >= WINDOW_NANOS) {
            windowStartNanos = now;
            pings = 0;
            settings = 0;
        }
    }

    private void goAway(ChannelHandlerContext ctx, String why) {
        if (closing) {
            return;
        }
        closing = true;
        LOG.debug("{}: {}, sending GOAWAY(ENHANCE_YOUR_CALM)", ctx.channel(), why);
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
