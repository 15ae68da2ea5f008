package dev.gatehouse.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits right in front of the h2 frame codec and reads only the 9-byte frame headers of the bytes going into it
 * (payloads are skipped by length, nothing is copied or consumed), to tell {@link Http2StreamCount} when a
 * header block begins (HEADERS without END_HEADERS) and ends (CONTINUATION with END_HEADERS): Netty buffers an
 * incomplete block inside its frame reader and says nothing until it is complete. It sees exactly the bytes
 * the codec sees, from the client preface on, so it cannot drift from the codec's framing; a malformed
 * stream of frames is the codec's to refuse.
 * <p>
 * When the connection's header deadline passes ({@link dev.gatehouse.proxy.http.ConnectionTimeoutHandler}),
 * an incomplete block is a connection error raised into the codec: GOAWAY(ENHANCE_YOUR_CALM) with a reason,
 * then close (open streams included: the HPACK context cannot survive half a block). With no block pending
 * the connection just had no stream for the whole timeout: closed gracefully (GOAWAY(NO_ERROR)).
 */
final class Http2HeaderBlockWatch extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(Http2HeaderBlockWatch.class);
    private static final int PREFACE_LENGTH = 24; // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    private static final int FRAME_HEADER_LENGTH = Http2CodecUtil.FRAME_HEADER_LENGTH;
    private static final int HEADERS = 0x1;
    private static final int CONTINUATION = 0x9;
    private static final int END_HEADERS = 0x4;

    private final Http2StreamCount streams;
    private ChannelHandlerContext ctx;
    private int prefaceLeft = PREFACE_LENGTH;
    /** bytes of the current frame's payload not yet seen */
    private int payloadLeft;
    /** bytes of the current frame header seen so far (0..8) */
    private int headerSeen;
    private int length;
    private int type;

    Http2HeaderBlockWatch(Http2StreamCount streams) {
        this.streams = streams;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            scan(b);
        }
        ctx.fireChannelRead(msg);
    }

    private void scan(ByteBuf b) {
        int i = b.readerIndex();
        int end = b.writerIndex();
        while (i < end) {
            if (prefaceLeft > 0) {
                int n = Math.min(prefaceLeft, end - i);
                prefaceLeft -= n;
                i += n;
            } else if (payloadLeft > 0) {
                int n = Math.min(payloadLeft, end - i);
                payloadLeft -= n;
                i += n;
            } else {
                int v = b.getUnsignedByte(i++);
                switch (headerSeen++) {
                    case 0, 1, 2 -> length = length << 8 | v;
                    case 3 -> type = v;
                    case 4 -> onFrame(type, v);
                    default -> { } // stream id: not needed
                }
                if (headerSeen == FRAME_HEADER_LENGTH) {
                    payloadLeft = length;
                    headerSeen = 0;
                    length = 0;
                }
            }
        }
    }

    private void onFrame(int type, int flags) {
        boolean endHeaders = (flags & END_HEADERS) != 0;
        if (type == HEADERS && !endHeaders && !streams.headerBlockPending()) {
            streams.headerBlockStarted();
        } else if (type == CONTINUATION && endHeaders && streams.headerBlockPending()) {
            streams.headerBlockEnded();
        }
    }

    /** The connection's header deadline passed (called on its event loop). */
    void headTimedOut() {
        if (streams.headerBlockPending()) {
            LOG.debug("{}: header block incomplete at the header timeout, GOAWAY(ENHANCE_YOUR_CALM)", ctx.channel());
            // into the codec, as its own frame reader raises the CONTINUATION-flood error
            ctx.fireExceptionCaught(Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM,
                    "request header block not completed within the header timeout"));
        } else {
            ctx.channel().close(); // the codec says GOAWAY(NO_ERROR) first
        }
    }
}
