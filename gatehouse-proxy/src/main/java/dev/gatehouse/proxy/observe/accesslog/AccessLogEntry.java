package dev.gatehouse.proxy.observe.accesslog;

import dev.gatehouse.proxy.route.Backend;
import dev.gatehouse.proxy.route.Route;

import java.net.InetSocketAddress;

/**
 * One request as the writer thread formats it: copied on the event loop from the request log (references
 * to immutable objects and primitives only; every string is built on the writer thread).
 *
 * @param client the client's address, or {@code null}
 * @param route the matched route (immutable, shared), or {@code null}
 * @param endpoint the backend endpoint, or {@code null}
 */
record AccessLogEntry(long epochMillis, String requestId, String traceId, InetSocketAddress client,
                      String method, String host, String path, String protocol, Route route, Backend backend,
                      InetSocketAddress endpoint, int status, long bytesIn, long bytesOut,
                      long durationNanos, long upstreamNanos, long gatewayNanos, String failure, String auth,
                      String rateLimit) {
}
