package dev.gatehouse.proxy.observe.accesslog;

/**
 * One request as the writer thread formats it: copied on the event loop from the request log (references
 * to immutable strings and primitives only, no formatting there).
 *
 * @param route the matched route (immutable, shared), or {@code null}; labelled on the writer thread
 * @param endpoint "ip:port" of the backend endpoint, or {@code null}
 */
record AccessLogEntry(long epochMillis, String requestId, String traceId, String client, int clientPort,
                      String method, String host, String path, String protocol, dev.gatehouse.proxy.route.Route route,
                      dev.gatehouse.proxy.route.Backend backend,
                      java.net.InetSocketAddress endpoint, int status, long bytesIn, long bytesOut,
                      long durationNanos, long upstreamNanos, long gatewayNanos, String failure, String auth,
                      String rateLimit) {
}
