package dev.gatehouse.proxy.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * Pausing and resuming reads of a channel that may be an HTTP/2 stream (an upstream's). Resuming a
 * stream makes Netty write the WINDOW_UPDATE for what was read while it was paused, but when the resume comes from
 * another channel's event it is not always flushed; unflushed, the peer waits for window for good (an upload or a
 * response that stalls at a multiple of 64 KiB). So a resumed stream flushes its connection.
 */
final class StreamReads {
    private StreamReads() {
    }

    static void setAutoRead(Channel ch, boolean read) {
        ch.config().setAutoRead(read);
        if (read && ch instanceof Http2StreamChannel) {
            ch.parent().flush();
        }
    }
}
