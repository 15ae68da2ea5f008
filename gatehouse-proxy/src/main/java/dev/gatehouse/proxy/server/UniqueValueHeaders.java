package dev.gatehouse.proxy.server;

import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.util.AsciiString;

/**
 * Tells the h2 HPACK encoder which response headers carry a value that never repeats, so that it sends them as
 * literals "never indexed" (RFC 7541 6.2.3) instead of adding them to the connection's dynamic table: a unique
 * {@code x-request-id} per response only pushes older, reusable entries out of the 4 KiB table, and costs an
 * insertion and an eviction per response (docs/performance.md, "Session 12: TLS").
 */
final class UniqueValueHeaders implements Http2HeadersEncoder.SensitivityDetector {
    static final UniqueValueHeaders INSTANCE = new UniqueValueHeaders();
    private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");

    private UniqueValueHeaders() {
    }

    @Override
    public boolean isSensitive(CharSequence name, CharSequence value) {
        // h2 header names are lower case (the codec validates them)
        return X_REQUEST_ID.contentEquals(name);
    }
}
