package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.http.ConnectionTimeoutHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;

/**
 * The state of one h2 connection that the header-read deadline follows, so it applies to h2 as it does to an
 * HTTP/1.1 keep-alive connection. The deadline runs
 * <ul>
 *   <li>while no stream is open: the connection must bring a complete request head (HEADERS + CONTINUATION)
 *       within the header timeout of the last stream closing (or of the connection starting), however much it
 *       sends meanwhile (PINGs, SETTINGS, a trickled header block); then GOAWAY;</li>
 *   <li>while a header block is incomplete, even with other streams open: from its HEADERS frame. Netty
 *       creates a stream only once its block is complete and RFC 9113 allows no other frame in between, so
 *       {@link Http2HeaderBlockWatch} reads the frame headers in front of the codec to see the block begin
 *       and end. A block still incomplete at the deadline is a connection error (the HPACK context cannot be
 *       kept without the rest of it): GOAWAY(ENHANCE_YOUR_CALM) and close, the other streams included.</li>
 * </ul>
 * One deadline per connection, in the connection's {@link ConnectionTimeoutHandler}: a connection has at most
 * one incomplete header block at a time. Confined to the connection's event loop.
 */
final class Http2StreamCount {
    private final ConnectionTimeoutHandler timeouts;
    private int open;
    private boolean blockPending;

    Http2StreamCount(ConnectionTimeoutHandler timeouts) {
        this.timeouts = timeouts;
    }

    /**
     * The connection switched to h2 (the upgrade's own stream may already be open). {@code ctx} is the
     * {@link Http2Frontend}'s: the frame-header watch goes right in front of it
     * before any h2 byte reaches it (prior knowledge: the buffered preface is handed on after this; upgrade:
     * the client sends its preface after our 101).
     */
    void connectionStarted(ChannelHandlerContext ctx) {
        ChannelPipeline p = ctx.pipeline();
        ChannelHandlerContext codec = p.context(Http2Frontend.class);
        if (codec != null) {
            Http2HeaderBlockWatch watch = new Http2HeaderBlockWatch(this);
            p.addBefore(codec.name(), "h2-header-block-watch", watch);
            timeouts.onHeadTimeout(watch::headTimedOut);
        }
        timeouts.bodyEnded();
        if (open == 0) {
            timeouts.awaitHead();
        }
    }

    /** A HEADERS frame without END_HEADERS was read: the rest of its block must come within the header timeout. */
    void headerBlockStarted() {
        blockPending = true;
        if (open > 0) {
            timeouts.awaitHead();
        } // else the deadline already runs, from the moment the connection had no stream
    }

    /** The CONTINUATION frame with END_HEADERS was read. */
    void headerBlockEnded() {
        blockPending = false;
        if (open > 0) {
            timeouts.headArrived();
        } // else the stream the block opens (if any) stops the deadline
    }

    boolean headerBlockPending() {
        return blockPending;
    }

    // The watch reads a batch of bytes before the codec decodes it, so a block may already be seen starting
    // when the codec opens or closes streams of earlier frames: the pending block keeps its deadline.

    void streamOpened() {
        if (open++ == 0 && !blockPending) {
            timeouts.headArrived();
        }
    }

    void streamClosed() {
        if (--open == 0 && !blockPending) {
            timeouts.awaitHead();
        }
    }
}
