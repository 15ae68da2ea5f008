package dev.gatehouse.proxy.http;

import io.netty.handler.codec.http.HttpMethod;

/**
 * The methods RFC 9110 (9.2.2) calls idempotent: sending one of them twice has the effect of sending it once, so
 * the gateway may replay it on a fresh connection when a reused one closes before the response.
 */
final class IdempotentMethods {
    private IdempotentMethods() {
    }

    static boolean contains(HttpMethod method) {
        return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) || method.equals(HttpMethod.PUT)
                || method.equals(HttpMethod.DELETE) || method.equals(HttpMethod.OPTIONS)
                || method.equals(HttpMethod.TRACE);
    }
}
