package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.RequestLog;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.route.Route;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/**
 * One request/response through the proxy, confined to the client channel's event loop. This class holds what
 * the parts of an exchange share (its state, the routing result, the observation) and its end; the work is
 * theirs, one concern each:
 * <ul>
 *   <li>{@link RequestPipeline}: routing, request filters (possibly suspended), the request body until an
 *       upstream takes it;</li>
 *   <li>{@link UpstreamAttempt}: the endpoint, the connection from this loop's pool, writing the request, the
 *       replay of a request a reused connection lost, the upstream deadlines;</li>
 *   <li>{@link ResponseRelay}: response filters, head, body and end to the client, with back-pressure;</li>
 *   <li>{@link LocalAnswers}: the answers the gateway writes itself and their keep-alive decision.</li>
 * </ul>
 * Body objects are forwarded as they are (the decoder's retained slices), so nothing is copied or aggregated.
 *
 * <p>{@code Expect: 100-continue}: the gateway answers {@code 100 Continue} itself once routing and
 * filters accepted the request and a backend endpoint is chosen, and removes Expect before forwarding;
 * a request refused earlier (404, 401...) gets its final answer without the body being sent.
 *
 * <p>Answered before the request body ended (early 4xx/5xx, or a backend that answers early): on HTTP/1.1
 * the connection is closed after the response (no lingering drain); on h2 the rest of the stream's body is
 * read and dropped (RST_STREAM(NO_ERROR) would be cheaper, but curl 7.88 then discards the response).
 *
 * <p>Response filters run in reverse order, see {@link FilterChain}.
 */
final class ProxyExchange {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyExchange.class);

    static final int ROUTING = 0;
    static final int SUSPENDED = 1;
    static final int CONNECTING = 2;
    static final int FORWARDING = 3;
    /** Answered by the gateway (or failed): the rest of the request body is dropped. */
    static final int LOCAL = 4;
    static final int SPLICED = 5;

    final HttpProxyHandler owner;
    final ExchangeClient client;
    final HttpRequest request;
    final boolean http2;
    final HttpVersion clientVersion;
    final boolean clientKeepAlive;
    final boolean headRequest;
    final boolean expectsBody;
    final boolean expectContinue;
    /** null when nothing observes: then no {@link RequestLog} is made and no hook is called */
    final ExchangeObserver observer;

    final RequestPipeline pipeline;
    final UpstreamAttempt upstream;
    final ResponseRelay relay;
    final LocalAnswers answers;

    int state = ROUTING;
    boolean websocket;
    String originalHost;
    /** "https" on a TLS connection, else "http": for redirects and X-Forwarded-Proto / Forwarded. */
    String scheme = "http";
    InetSocketAddress remote;
    HttpExchange exchange;
    Route route;
    FilterChain filters;
    HttpPortRouter router;
    Mirrors mirrors;
    boolean requestComplete;
    boolean responseHeadSent;
    boolean responseComplete;
    boolean closeClient;
    boolean aborted;
    private boolean finished;
    RequestLog log;
    private boolean observeStarted;
    CharSequence requestId;
    boolean debugTrace;

    /**
     * @param bodyFollows false when the whole request already arrived with its head (h2 END_STREAM)
     */
    ProxyExchange(HttpProxyHandler owner, HttpRequest request, boolean http2, boolean bodyFollows) {
        this.owner = owner;
        this.client = owner.client();
        this.request = request;
        this.http2 = http2;
        this.clientVersion = request.protocolVersion();
        this.clientKeepAlive = http2 || HttpUtil.isKeepAlive(request);
        this.headRequest = request.method() == HttpMethod.HEAD;
        if (!bodyFollows) {
            this.expectsBody = false;
        } else if (http2) {
            this.expectsBody = HttpUtil.getContentLength(request, -1L) != 0;
        } else {
            this.expectsBody = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        }
        this.expectContinue = expectsBody && HttpUtil.is100ContinueExpected(request);
        this.observer = owner.context().observer();
        this.pipeline = new RequestPipeline(this);
        this.upstream = new UpstreamAttempt(this);
        this.relay = new ResponseRelay(this);
        this.answers = new LocalAnswers(this);
    }

    // ---------------------------------------------------------------- what the client handler calls

    void start() {
        pipeline.start();
    }

    boolean requestComplete() {
        return requestComplete;
    }

    /** @return true while the client should stop sending: too much queued, or the upstream is saturated */
    boolean pausesClient() {
        return pipeline.overQueueLimit() || state == FORWARDING && upstream.saturated();
    }

    void onRequestContent(HttpContent c) {
        pipeline.onRequestContent(c);
    }

    /** Flushes what this client read batch wrote upstream (called from the client's channelReadComplete). */
    void flushUpstream() {
        upstream.flush();
        if (mirrors != null) {
            mirrors.flush();
        }
    }

    /** Client writability: pause the upstream while the client cannot take more of the response. */
    void onClientWritabilityChanged(boolean writable) {
        if (state == FORWARDING && (writable || !relay.writingBody())) {
            upstream.readResponse(writable);
        }
    }

    /** The client went away: let go of everything this exchange holds. */
    void onClientClosed() {
        if (log != null && !log.completed()) {
            if (!responseHeadSent) {
                log.status(RequestLog.CLIENT_CLOSED);
            }
            log.failure("client closed the connection");
            observeEnd();
        }
        aborted = true;
        pipeline.dropQueued();
        if (state != SPLICED) {
            upstream.close();
            abortMirrors();
        }
    }

    // ---------------------------------------------------------------- observation

    void startLog() {
        log = new RequestLog(System.nanoTime(), System.currentTimeMillis(), request.method().name(), request.uri(),
                http2 ? "HTTP/2" : clientVersion.text(), owner.remoteAddress(), owner.localPort());
        log.traceParent(request.headers().get(ObservabilityHeaders.TRACEPARENT));
    }

    /**
     * Once per exchange, after routing, or before the answer when the exchange is refused before routing
     * (417, invalid Host, an exception in routing), so every observer sees start, head, complete in that order.
     */
    void observeStart() {
        RequestLog l = log;
        if (l == null || observeStarted) {
            return;
        }
        observeStarted = true;
        l.host(originalHost);
        l.requestId(requestId);
        l.route(route);
        if (exchange != null) {
            exchange.outcomes(l);
        }
        observer.onRequestStart(l);
    }

    /** Once per exchange, when the response is complete or the exchange failed. */
    void observeEnd() {
        observeEnd(System.nanoTime());
    }

    /** {@link #observeEnd()} at {@code now}, a {@link System#nanoTime()} just read. */
    void observeEnd(long now) {
        RequestLog l = log;
        if (l != null && l.complete(now)) {
            observeStart();
            observer.onComplete(l);
        }
    }

    /** Request id and debug trace on a response head about to go to the client. */
    void decorateResponse(HttpResponse response) {
        if (requestId != null) {
            response.headers().set(ObservabilityHeaders.X_REQUEST_ID, requestId);
        }
        if (debugTrace && router != null && exchange != null) {
            response.headers().set(ObservabilityHeaders.X_GATEHOUSE_DEBUG_TRACE,
                    router.debugTrace(exchange, route, filters == null ? null : filters.backend()));
        }
        observeResponseHead(response.status().code());
    }

    /** The response head's status goes to the request log and the observers. */
    void observeResponseHead(int status) {
        if (log != null) {
            observeStart();
            log.status(status);
            observer.onResponseHead(log);
        }
    }

    /** A filter threw in {@code phase} ("request" or "response"): one log line with the request id, one count. */
    void filterFailed(String phase, Throwable e) {
        LOG.warn("{} filter failed for {} {} (route {}, request id {}): answered 500", phase, request.method(),
                request.uri(), route == null ? "-" : route.ref().ruleLabel(), requestId == null ? "-" : requestId, e);
        if (observer != null) {
            observer.filterFailed(route, phase);
        }
    }

    // ---------------------------------------------------------------- mirrors

    void offerToMirrors(HttpContent c) {
        if (mirrors != null) {
            mirrors.offer(c);
        }
    }

    void abortMirrors() {
        if (mirrors != null) {
            mirrors.abortIncomplete();
        }
    }

    // ---------------------------------------------------------------- errors and the end

    /** An error before the response head: answer it; after: break the connection (h1) or stream (h2). */
    void fail(HttpResponseStatus status, String message) {
        if (responseHeadSent) {
            abort(message);
        } else {
            answers.respond(status, message);
        }
    }

    void abort(String why) {
        LOG.debug("aborting {} {}: {}", request.method(), request.uri(), why);
        if (log != null) {
            log.failure(why);
        }
        upstream.close();
        abortMirrors();
        pipeline.dropQueued();
        state = LOCAL;
        aborted = true;
        owner.markClosing();
        relay.writePendingHead(); // the client sees the head it was promised, then the close
        client.close();
        observeEnd();
    }

    void maybeFinish() {
        if (finished || !requestComplete || !responseComplete) {
            return;
        }
        finished = true;
        if (state != SPLICED) {
            state = LOCAL;
        }
        owner.exchangeFinished(this, closeClient);
    }
}
