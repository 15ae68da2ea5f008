package dev.gatehouse.proxy.upstream;

import io.netty.handler.codec.http2.Http2Error;

/**
 * An HTTP/2 backend ended one stream before its response: RST_STREAM, or a GOAWAY that left the stream out.
 * {@link #refused()} streams were never processed (RFC 9113 8.7), so their request may be sent again.
 */
public final class UpstreamStreamReset extends Exception {
    private final boolean refused;

    UpstreamStreamReset(String message, boolean refused) {
        super(message, null, false, false);
        this.refused = refused;
    }

    static UpstreamStreamReset reset(long errorCode) {
        Http2Error error = Http2Error.valueOf(errorCode);
        String name = error == null ? "error " + errorCode : error.name();
        return new UpstreamStreamReset("upstream reset the stream (" + name + ")", error == Http2Error.REFUSED_STREAM);
    }

    static UpstreamStreamReset goAway(long errorCode) {
        Http2Error error = Http2Error.valueOf(errorCode);
        return new UpstreamStreamReset("upstream sent GOAWAY (" + (error == null ? "error " + errorCode : error.name())
                + ") before this stream", true);
    }

    /** @return true when the backend never processed the stream's request */
    public boolean refused() {
        return refused;
    }
}
