package dev.gatehouse.routing.filter;

import io.netty.handler.codec.http.HttpResponse;

/**
 * A compiled filter. Instances are immutable and shared by every event loop; per-request state lives in
 * the {@link HttpExchange}. Methods run on the request's event loop and must not block.
 */
public interface HttpFilter {

    /**
     * Runs once the request head is read and a route matched, before a backend is picked.
     * May change the request head in place (headers, URI via {@link HttpExchange#setPathAndQuery}).
     */
    default FilterResult onRequest(HttpExchange exchange) {
        return FilterResult.CONTINUE;
    }

    /** Runs on the backend's response head before it is sent to the client; may change its headers. */
    default void onResponse(HttpExchange exchange, HttpResponse response) {
    }

    /** The Gateway API name of the filter ("RequestRedirect", "URLRewrite"), for explain and /config. */
    default String type() {
        String simple = getClass().getSimpleName();
        return simple.endsWith("Filter") ? simple.substring(0, simple.length() - 6) : simple;
    }

    /** A short summary of the compiled config, e.g. {@code URLRewrite path ReplacePrefixMatch /v1 -> /}. */
    default String describe() {
        return toString();
    }

    /**
     * Whether {@link #onRequest} reads and changes nothing but the exchange: no counters, randomness, I/O or
     * suspension. Explain runs only such filters (on a synthetic request) to show their effect, and merely
     * describes the others, so a request that was never sent leaves no trace. False unless a filter says so.
     */
    default boolean sideEffectFree() {
        return false;
    }
}
