package dev.gatehouse.proxy.observe;

import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.route.Route;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Watches requests and connections. Request hooks run on the request's event loop and must not block or
 * look anything up by name: per-route state was bound by {@link #bind} and is read from
 * {@code log.route().observation()}. Every method has a no-op default so an observer implements only what
 * it needs.
 */
public interface ExchangeObserver {
    /** Observes nothing; the proxy then creates no {@link RequestLog} at all. */
    ExchangeObserver NOOP = new ExchangeObserver() {
    };

    /** A snapshot is about to be published: bind per-route state. On the control thread, before the swap. */
    default void bind(RuntimeSnapshot snapshot) {
    }

    /** The request head was read and routed (the route may be {@code null}: 404). */
    default void onRequestStart(RequestLog log) {
    }

    /** The request head is about to go upstream; the observer may add headers (traceparent). */
    default void onUpstreamRequest(RequestLog log, HttpHeaders upstreamHeaders) {
    }

    /**
     * Whether {@link #onUpstreamRequest} does anything: an observer that implements it must say so here. The proxy
     * then hands it the whole upstream head as a header map; otherwise it may write its own forwarding lines
     * straight into the encoded head instead of the map (docs/performance.md, session 13).
     */
    default boolean readsUpstreamRequest() {
        return false;
    }

    /** The response head (proxied or local) is about to be written to the client. */
    default void onResponseHead(RequestLog log) {
    }

    /** The response is complete or the exchange failed; called exactly once, last. */
    default void onComplete(RequestLog log) {
    }

    /**
     * A circuit breaker limit of {@code cluster} refused a request, connection or retry ({@code limit}: the value of
     * the {@code x-gatehouse-overflow} header, e.g. "max-pending-requests"). On the request's event loop.
     */
    default void upstreamOverflow(String cluster, String limit) {
    }

    /**
     * A retry decision for a request to {@code cluster}: "retried" (another attempt starts), "success" (a retried
     * request got an answer it relays), "exhausted" (retries used up, the last failure is relayed), "overflow" (the
     * budget or maxParallelRetries refused one), "not-replayable" (the request could not be sent again).
     */
    default void upstreamRetry(String cluster, String outcome) {
    }

    /**
     * A client connection on {@code port} now speaks {@code protocol}: "http/1.1" when accepted, "h2" once it
     * switched (prior knowledge or {@code Upgrade: h2c}; it is then first closed as "http/1.1"). On the
     * connection's event loop, once per accept or switch, never per request.
     */
    default void connectionOpened(int port, String protocol) {
    }

    /** The connection stopped speaking {@code protocol} (closed, or switched to h2); pairs with one open. */
    default void connectionClosed(int port, String protocol) {
    }

    default void streamOpened() {
    }

    default void streamClosed() {
    }

    /**
     * One mirror copy (RequestMirror) of a request on {@code route} to {@code mirror} ended with {@code result};
     * once per copy, on the request's event loop, possibly after the real exchange completed. It cannot affect
     * the real request (an exception thrown here is logged and dropped). Per-route state is in
     * {@code route.observation()}, as for {@link #onComplete}.
     */
    default void onMirrorComplete(Route route, Cluster mirror, MirrorResult result) {
    }

    /**
     * A filter of {@code route} threw in {@code phase} ({@code request} or {@code response}); the client got a 500
     * (or, when the response head had already left, a broken connection). On the request's event loop; rare, so
     * an observer may look its counter up here.
     */
    default void filterFailed(Route route, String phase) {
    }

    /**
     * The HTTP/2 codec of a connection on {@code port} refused or reset a stream by itself because of what the
     * client sent (an invalid header, too many concurrent streams, a header list over the limit, a flow-control
     * or framing error on the stream). {@code reason} is one of a small closed set: {@code refused_stream},
     * {@code protocol_error}, {@code header_too_large}, {@code other}. On the connection's event loop, per error.
     */
    default void http2StreamError(int port, String reason) {
    }

    /**
     * A GOAWAY was sent on an HTTP/2 connection on {@code port}; {@code error} is the {@code Http2Error} name in
     * lower case ({@code no_error} for a graceful close, {@code enhance_your_calm} for floods), or
     * {@code unknown}. On the connection's event loop, once per GOAWAY.
     */
    default void http2GoAwaySent(int port, String error) {
    }

    /**
     * An L4 connection (TCP, TLS) or UDP session was routed to a backend endpoint. On its event loop, once per
     * connection or session, never per byte or datagram.
     */
    default void l4Opened(L4Log log) {
    }

    /** The L4 connection or session ended ({@link L4Log#closeReason()} says why); exactly once, last. */
    default void l4Closed(L4Log log) {
    }

    /**
     * A datagram on UDP {@code port} was dropped: {@code reason} is "session_limit" (the port's sessions are all
     * taken), "no_route", "backlog" (queued while its session's socket opens) or "unwritable" (a socket's buffer
     * is full: UDP has no back-pressure, so the relay drops as the network would).
     */
    default void udpDatagramDropped(int port, String reason) {
    }

    /**
     * A connection from a trusted PROXY protocol source on {@code port} was closed: no header where one was
     * required, a malformed one, or none within the deadline. On the connection's event loop.
     */
    default void proxyProtocolRejected(int port) {
    }
}
