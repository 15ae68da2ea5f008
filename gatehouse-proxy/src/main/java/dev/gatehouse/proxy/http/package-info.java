/**
 * The HTTP proxy path shared by HTTP/1.1 connections and h2c streams: request validation, routing and
 * filters ({@link dev.gatehouse.proxy.http.HttpProxyHandler}, {@link dev.gatehouse.proxy.http.ProxyExchange}),
 * header hygiene, locally generated responses, mirrors and the WebSocket splice. What is refused and why is
 * in docs/security.md: {@code http1.StrictHttpServerCodec} (request line, obs-fold, on HTTP/1.1 before Netty parses the
 * head), {@code RequestValidator} (framing, Host), {@code route.PathNormalizer} (the path, before
 * routing), {@code HopByHopHeaders.sanitizeClientRequest} (before filters), {@code MessageHeaders} (upstream).
 */
package dev.gatehouse.proxy.http;
