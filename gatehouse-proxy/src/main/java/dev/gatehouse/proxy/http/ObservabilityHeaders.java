package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.observe.RequestIds;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/** The request-id and debug headers the proxy reads and writes itself; names cached as {@link AsciiString}. */
final class ObservabilityHeaders {
    static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
    static final AsciiString X_GATEHOUSE_DEBUG = AsciiString.cached("x-gatehouse-debug");
    static final AsciiString X_GATEHOUSE_DEBUG_TRACE = AsciiString.cached("x-gatehouse-debug-trace");

    private ObservabilityHeaders() {
    }

    /**
     * Keeps the client's {@code X-Request-ID} when trusted and acceptable, else sets a new one; the header
     * then travels upstream with the request head.
     *
     * @return the id in force
     */
    static CharSequence assignRequestId(HttpHeaders headers, boolean trust) {
        String given = null;
        if (trust) {
            given = headers.get(X_REQUEST_ID);
            if (given != null && RequestIds.acceptable(given) && !hasSecond(headers)) {
                return given;
            }
        }
        CharSequence id = RequestIds.generate();
        if (trust && given == null) {
            headers.add(X_REQUEST_ID, id); // known absent: no removal pass over the headers
        } else {
            headers.set(X_REQUEST_ID, id);
        }
        return id;
    }

    private static boolean hasSecond(HttpHeaders headers) {
        return headers.getAll(X_REQUEST_ID).size() > 1;
    }

    /** Removes {@code X-Gatehouse-Debug} (never forwarded) and tells whether it asked for a trace ("1" or "true"). */
    static boolean takeDebugRequest(HttpHeaders headers) {
        String v = headers.get(X_GATEHOUSE_DEBUG);
        if (v == null) {
            return false;
        }
        headers.remove(X_GATEHOUSE_DEBUG);
        return "1".equals(v) || "true".equalsIgnoreCase(v);
    }
}
