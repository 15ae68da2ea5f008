package dev.gatehouse.proxy.filter;

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
}
