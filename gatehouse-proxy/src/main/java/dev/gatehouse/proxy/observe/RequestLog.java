package dev.gatehouse.proxy.observe;

import dev.gatehouse.routing.filter.AuthOutcome;
import dev.gatehouse.routing.filter.FilterOutcomes;
import dev.gatehouse.routing.filter.RateLimitOutcome;
import dev.gatehouse.routing.route.Backend;
import dev.gatehouse.routing.route.ListenerRouter;
import dev.gatehouse.routing.route.Route;

import java.net.InetSocketAddress;

/**
 * Everything observers learn about one request, filled in by the proxy as the exchange advances. Mutable
 * and confined to the request's event loop; an observer that hands data to another thread copies what it
 * needs in {@link ExchangeObserver#onComplete} (the access log builds an immutable entry). Times are
 * {@link System#nanoTime()}; 0 means "did not happen". Created only when an observer is installed.
 */
public final class RequestLog implements FilterOutcomes {
    /** Status recorded when the client went away before any response (nginx's convention). */
    public static final int CLIENT_CLOSED = 499;
    /**
     * Method, path and protocol of a request head the decoder could not read (refused with 400/414/431 before
     * an exchange existed): what Netty hands over then is a placeholder, not what the client sent.
     */
    public static final String UNKNOWN = "-";

    private final long startNanos;
    private final long startEpochMillis;
    private final String method;
    private final String path;
    private final String protocol;
    private final InetSocketAddress remote;
    private final int listenerPort;
    private String host;
    private CharSequence requestId;
    private Route route;
    private ListenerRouter unmatchedOn;
    private Backend backend;
    private InetSocketAddress endpoint;
    private long upstreamStartNanos;
    private long upstreamEndNanos;
    private long endNanos;
    private int status;
    private long requestBytes;
    private long responseBytes;
    private String failure;
    private int retries;
    private AuthOutcome auth;
    private String consumer;
    private RateLimitOutcome rateLimit;
    private String traceParent;
    private CharSequence traceId;
    private Object span;
    private boolean completed;

    public RequestLog(long startNanos, long startEpochMillis, String method, String path, String protocol,
                      InetSocketAddress remote, int listenerPort) {
        this.startNanos = startNanos;
        this.startEpochMillis = startEpochMillis;
        this.method = method;
        this.path = path;
        this.protocol = protocol;
        this.remote = remote;
        this.listenerPort = listenerPort;
    }

    public long startNanos() {
        return startNanos;
    }

    public long startEpochMillis() {
        return startEpochMillis;
    }

    public String method() {
        return method;
    }

    /** The request-target as received (path and query); for logs and spans, never for metric labels. */
    public String path() {
        return path;
    }

    /** "HTTP/1.1", "HTTP/1.0" or "HTTP/2" */
    public String protocol() {
        return protocol;
    }

    public InetSocketAddress remote() {
        return remote;
    }

    public int listenerPort() {
        return listenerPort;
    }

    public String host() {
        return host;
    }

    public void host(String host) {
        this.host = host;
    }

    /** The {@code X-Request-ID} in force: the client's (a String) or a generated one (ASCII bytes), or {@code null}. */
    public CharSequence requestId() {
        return requestId;
    }

    public void requestId(CharSequence id) {
        this.requestId = id;
    }

    /** The matched route, or {@code null} (no route, or the request was refused before routing). */
    public Route route() {
        return route;
    }

    public void route(Route route) {
        this.route = route;
    }

    /** The listener whose host took the request when none of its rules matched (404); {@code null} otherwise. */
    public ListenerRouter unmatchedOn() {
        return unmatchedOn;
    }

    public void unmatchedOn(ListenerRouter listener) {
        this.unmatchedOn = listener;
    }

    /** The picked backendRef, or {@code null} when none was picked (404, filter answered). */
    public Backend backend() {
        return backend;
    }

    public void backend(Backend backend) {
        this.backend = backend;
    }

    public InetSocketAddress endpoint() {
        return endpoint;
    }

    public void endpoint(InetSocketAddress endpoint) {
        this.endpoint = endpoint;
    }

    /** When the gateway started on the backend's part (endpoint picked, connecting or reusing), or 0. */
    public long upstreamStartNanos() {
        return upstreamStartNanos;
    }

    public void upstreamStart(long nanos) {
        this.upstreamStartNanos = nanos;
    }

    /** When the backend's response ended (or failed), or 0. */
    public long upstreamEndNanos() {
        return upstreamEndNanos;
    }

    public void upstreamEnd(long nanos) {
        if (upstreamStartNanos != 0 && upstreamEndNanos == 0) {
            this.upstreamEndNanos = nanos;
        }
    }

    public long endNanos() {
        return endNanos;
    }

    /** Whole request, start to completion. */
    public long durationNanos() {
        return endNanos - startNanos;
    }

    /** The backend's part (see {@link #upstreamStartNanos}), 0 when no backend was involved. */
    public long upstreamNanos() {
        return upstreamStartNanos == 0 ? 0 : Math.max(0, (upstreamEndNanos == 0 ? endNanos : upstreamEndNanos) - upstreamStartNanos);
    }

    /** The gateway's own part: the whole minus the backend's. */
    public long gatewayNanos() {
        return Math.max(0, durationNanos() - upstreamNanos());
    }

    public int status() {
        return status;
    }

    public void status(int status) {
        this.status = status;
    }

    public long requestBytes() {
        return requestBytes;
    }

    public void addRequestBytes(long n) {
        requestBytes += n;
    }

    public long responseBytes() {
        return responseBytes;
    }

    public void addResponseBytes(long n) {
        responseBytes += n;
    }

    /** Why the gateway answered or broke the exchange itself (upstream failure, no route...), or {@code null}. */
    public String failure() {
        return failure;
    }

    public void failure(String why) {
        if (failure == null) {
            this.failure = why;
        }
    }

    /** How often the request was retried (0 when it was not). */
    public int retries() {
        return retries;
    }

    public void retried() {
        retries++;
    }

    public AuthOutcome authOutcome() {
        return auth;
    }

    public RateLimitOutcome rateLimitOutcome() {
        return rateLimit;
    }

    @Override
    public void auth(AuthOutcome outcome) {
        this.auth = outcome;
    }

    @Override
    public void rateLimit(RateLimitOutcome outcome) {
        this.rateLimit = outcome;
    }

    /** The consumer a SecurityPolicy authenticated, or {@code null}. */
    public String consumer() {
        return consumer;
    }

    @Override
    public void consumer(String id) {
        this.consumer = id;
    }

    /** The client's {@code traceparent} header as received, or {@code null}. */
    public String traceParent() {
        return traceParent;
    }

    public void traceParent(String value) {
        this.traceParent = value;
    }

    /** 32 hex digits: the tracer's span's trace, else the valid incoming one, else {@code null}. */
    public CharSequence traceId() {
        if (traceId == null && traceParent != null) {
            traceId = TraceParent.traceId(traceParent);
        }
        return traceId;
    }

    public void traceId(CharSequence id) {
        this.traceId = id;
    }

    /** The tracer's span for this request (opaque to everyone else), or {@code null}. */
    public Object span() {
        return span;
    }

    public void span(Object span) {
        this.span = span;
    }

    public boolean completed() {
        return completed;
    }

    /** Marks the end; returns false when it was already marked (observers run once). */
    public boolean complete(long nanos) {
        if (completed) {
            return false;
        }
        completed = true;
        endNanos = nanos;
        if (upstreamStartNanos != 0 && upstreamEndNanos == 0) {
            upstreamEndNanos = nanos;
        }
        return true;
    }
}
