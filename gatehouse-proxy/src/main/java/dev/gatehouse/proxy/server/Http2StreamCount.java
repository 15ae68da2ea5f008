package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.http.ConnectionTimeoutHandler;

/**
 * The open request streams of one h2 connection, so the header-read deadline applies to h2 as it does to an
 * HTTP/1.1 keep-alive connection: while no stream is open the connection must bring a complete request head
 * (HEADERS + CONTINUATION) within the header timeout. Netty creates a stream only once its header block is
 * complete, so a client trickling CONTINUATION frames, or holding an idle connection, is closed (GOAWAY) when
 * the deadline passes, however much it sends. Confined to the connection's event loop.
 */
final class Http2StreamCount {
    private final ConnectionTimeoutHandler timeouts;
    private int open;

    Http2StreamCount(ConnectionTimeoutHandler timeouts) {
        this.timeouts = timeouts;
    }

    /** The connection switched to h2 (the upgrade's own stream may already be open). */
    void connectionStarted() {
        timeouts.bodyEnded();
        if (open == 0) {
            timeouts.awaitHead();
        }
    }

    void streamOpened() {
        if (open++ == 0) {
            timeouts.headArrived();
        }
    }

    void streamClosed() {
        if (--open == 0) {
            timeouts.awaitHead();
        }
    }
}
