package dev.gatehouse.proxy.http;

import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.Observability;
import dev.gatehouse.proxy.observe.RequestLog;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.route.PathNormalizer;
import dev.gatehouse.routing.route.Route;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.tls.PortCertificates;
import dev.gatehouse.proxy.upstream.UpstreamHandler;
import dev.gatehouse.proxy.upstream.UpstreamListener;
import dev.gatehouse.proxy.upstream.UpstreamPool;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * One request/response through the proxy, confined to the client channel's event loop: routing, filters
 * (possibly suspended), the upstream connection from this loop's pool, streaming of both bodies, timeouts
 * and the errors the gateway answers itself. Body objects are forwarded as they are (the decoder's
 * retained slices), so nothing is copied or aggregated.
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
final class ProxyExchange implements UpstreamListener {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyExchange.class);
    /** Request body bytes held while routing, suspended or connecting before the client is paused. */
    static final int MAX_QUEUED_BYTES = 256 * 1024;

    private static final int ROUTING = 0;
    private static final int SUSPENDED = 1;
    private static final int CONNECTING = 2;
    private static final int FORWARDING = 3;
    /** Answered by the gateway (or failed): the rest of the request body is dropped. */
    private static final int LOCAL = 4;
    private static final int SPLICED = 5;

    private final HttpProxyHandler owner;
    private final Channel client;
    private final HttpRequest request;
    private final boolean http2;
    private final HttpVersion clientVersion;
    private final boolean clientKeepAlive;
    private final boolean headRequest;
    private final boolean expectsBody;
    private final boolean expectContinue;
    private boolean websocket;
    private String originalHost;
    /** "https" on a TLS connection, else "http": for redirects and X-Forwarded-Proto / Forwarded. */
    private String scheme = "http";
    private InetSocketAddress remote;
    private HttpExchange exchange;
    private Route route;
    private FilterChain filters;
    private InetSocketAddress endpoint;
    private UpstreamPool pool;
    private UpstreamHandler upstream;
    /** the write of the head to a reused connection, when the request is not idempotent; else null */
    private ChannelPromise headWrite;
    private ArrayDeque<HttpContent> queued;
    private int queuedBytes;
    private Mirrors mirrors;
    private long backendTimeoutNanos;
    private long headDeadline;
    private long requestDeadline;

    private int state = ROUTING;
    private boolean requestComplete;
    private boolean requestSent;
    private boolean bodyForwarded;
    private boolean responseHeadSent;
    private boolean responseComplete;
    private boolean skipInterim;
    private boolean upstreamReusable;
    private boolean pendingSplice;
    private boolean closeClient;
    private boolean retried;
    private boolean clientFlushPending;
    private boolean upstreamFlushPending;
    private boolean aborted;
    private boolean finished;
    /** null when nothing observes: then no {@link RequestLog} is made and no hook is called */
    private final ExchangeObserver observer;
    private RequestLog log;
    private boolean observeStarted;
    private CharSequence requestId;
    private boolean debugTrace;
    private HttpPortRouter router;

    /**
     * @param bodyFollows false when the whole request already arrived with its head (h2 END_STREAM)
     */
    ProxyExchange(HttpProxyHandler owner, HttpRequest request, boolean http2, boolean bodyFollows) {
        this.owner = owner;
        this.client = owner.channel();
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
    }

    boolean requestComplete() {
        return requestComplete;
    }

    /** @return true while the client should stop sending: too much queued, or the upstream is saturated */
    boolean pausesClient() {
        if (queuedBytes > MAX_QUEUED_BYTES) {
            return true;
        }
        UpstreamHandler up = upstream;
        return state == FORWARDING && !requestSent && up != null && !up.channel().isWritable();
    }

    // ---------------------------------------------------------------- request side

    void start() {
        try {
            route();
        } catch (RuntimeException e) {
            LOG.warn("routing failed for {} {}", request.method(), request.uri(), e);
            respondLocal(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: routing failed");
        }
    }

    private void route() {
        if (observer != null) {
            startLog();
        }
        HttpHeaders headers = request.headers();
        originalHost = headers.get(HttpHeaderNames.HOST);
        Observability observability = owner.context().observability();
        if (observability.requestIds()) {
            // first, so the answers refused below (417, invalid Host) carry it too
            requestId = ObservabilityHeaders.assignRequestId(headers, observability.trustRequestId());
        }
        if (request.protocolVersion() == HttpVersion.HTTP_1_1 && headers.contains(HttpHeaderNames.EXPECT)
                && !HttpUtil.is100ContinueExpected(request)) {
            respondLocal(HttpResponseStatus.EXPECTATION_FAILED, "unsupported expectation");
            return;
        }
        RequestTarget target = RequestTarget.parse(request.uri(), originalHost);
        if (target == null) {
            closeClient = true;
            respondLocal(HttpResponseStatus.BAD_REQUEST, RequestValidator.INVALID_HOST.reason());
            return;
        }
        if (target.authority() != null) {
            // absolute-form: the target's authority wins over Host (RFC 9112 3.2.2)
            request.setUri(target.originForm());
            headers.set(HttpHeaderNames.HOST, target.authority());
            originalHost = target.authority();
        }
        websocket = !http2 && MessageHeaders.isWebSocketUpgrade(request);
        remote = owner.remoteAddress();
        int localPort = owner.localPort();
        // the gateway's own header: removed whether or not --debug-header answers it, so it never reaches a backend
        boolean debugAsked = ObservabilityHeaders.takeDebugRequest(headers);
        debugTrace = debugAsked && observability.debugHeader();
        // the path is already normal (PathNormalizer); routing reads ';' parameters and %2F as backends may
        TlsSession tls = owner.tls();
        scheme = tls == null ? "http" : "https";
        exchange = new HttpExchange(request, scheme, localPort, remote, target.host(),
                PathNormalizer.routingView(target.path()), target.query());
        RuntimeSnapshot snapshot = owner.context().snapshots().current();
        router = snapshot.httpRouter(localPort);
        if (tls != null && router != null && router.isMisdirected(tls.serverName(), target.host())) {
            // the connection was set up (certificate, SNI) for another listener: the client must open a new one
            observeStart();
            respondLocal(HttpResponseStatus.MISDIRECTED_REQUEST, "host " + target.host()
                    + " is not served by the listener chosen by TLS server name " + tls.serverName());
            return;
        }
        PortCertificates certificates = tls == null ? null : snapshot.certificates(localPort);
        if (certificates != null && !certificates.sameClientDemand(tls.clientCheck(), target.host())) {
            observeStart(); // e.g. a handshake without SNI where no client certificate was asked for
            respondLocal(HttpResponseStatus.MISDIRECTED_REQUEST, "host " + target.host()
                    + " asks for other client certificates than this connection's TLS handshake did");
            return;
        }
        route = router == null ? null : router.route(exchange);
        observeStart();
        if (route == null) {
            if (log != null && router != null) {
                log.unmatchedOn(router.listener(exchange)); // a 404 still counts under the listener its host chose
            }
            respondLocal(HttpResponseStatus.NOT_FOUND,
                    "no route for host " + target.host() + " path " + target.path());
            return;
        }
        exchange.route(route);
        filters = new FilterChain(route);
        applyTimeouts(route.timeouts());
        runFilters(null);
    }

    private void startLog() {
        log = new RequestLog(System.nanoTime(), System.currentTimeMillis(), request.method().name(), request.uri(),
                http2 ? "HTTP/2" : clientVersion.text(), owner.remoteAddress(), owner.localPort());
        log.traceParent(request.headers().get(ObservabilityHeaders.TRACEPARENT));
    }

    /**
     * Once per exchange, after routing, or before the answer when the exchange is refused before routing
     * (417, invalid Host, an exception in routing), so every observer sees start, head, complete in that order.
     */
    private void observeStart() {
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
    private void observeEnd() {
        RequestLog l = log;
        if (l != null && l.complete(System.nanoTime())) {
            observeStart();
            observer.onComplete(l);
        }
    }

    /** Request id and debug trace on a response head about to go to the client. */
    private void decorateResponse(HttpResponse response) {
        if (requestId != null) {
            response.headers().set(ObservabilityHeaders.X_REQUEST_ID, requestId);
        }
        if (debugTrace && router != null && exchange != null) {
            response.headers().set(ObservabilityHeaders.X_GATEHOUSE_DEBUG_TRACE,
                    router.debugTrace(exchange, route, filters == null ? null : filters.backend()));
        }
        if (log != null) {
            observeStart();
            log.status(response.status().code());
            observer.onResponseHead(log);
        }
    }

    private void applyTimeouts(TimeoutSpec timeouts) {
        Duration backendRequest = timeouts == null ? null : timeouts.backendRequest();
        backendTimeoutNanos = backendRequest == null ? owner.defaultBackendTimeoutNanos() : backendRequest.toNanos();
        Duration whole = timeouts == null ? null : timeouts.request();
        if (whole != null && !whole.isZero()) {
            requestDeadline = System.nanoTime() + whole.toNanos();
        }
    }

    private void runFilters(FilterResult resumed) {
        try {
            FilterResult result = resumed;
            while (true) {
                if (result == null) {
                    HttpFilter filter = filters.next();
                    if (filter == null) {
                        if (filters.backendError() != null) {
                            respondLocal(HttpResponseStatus.INTERNAL_SERVER_ERROR, filters.backendError());
                        } else if (state == ROUTING) {
                            forward();
                        }
                        return;
                    }
                    try {
                        result = filter.onRequest(exchange);
                    } catch (RuntimeException e) {
                        filterFailed("request", e);
                        respondLocal(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: filter failed");
                        return;
                    }
                }
                if (result instanceof FilterResult.Continue) {
                    result = null;
                } else if (result instanceof FilterResult.Respond respond) {
                    respondFromFilter(respond.response());
                    return;
                } else if (result instanceof FilterResult.Suspend suspend) {
                    state = SUSPENDED;
                    suspend.resume().whenComplete((r, e) -> client.eventLoop().execute(() -> resume(r, e)));
                    return;
                } else {
                    throw new IllegalStateException("unknown filter result " + result);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("filter or forwarding failed for {} {}", request.method(), request.uri(), e);
            if (!responseHeadSent && state != LOCAL) {
                respondLocal(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: filter failed");
            }
        }
    }

    private void resume(FilterResult result, Throwable error) {
        if (aborted || state != SUSPENDED) {
            if (result instanceof FilterResult.Respond respond) {
                ReferenceCountUtil.release(respond.response());
            }
            return;
        }
        state = ROUTING;
        if (error != null) {
            filterFailed("request", error);
            respondLocal(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: filter failed");
        } else {
            runFilters(result == null ? FilterResult.CONTINUE : result);
        }
        owner.updateAutoRead();
    }

    private void forward() {
        Cluster cluster = filters.backend().cluster();
        endpoint = cluster.pick();
        if (log != null) {
            log.backend(filters.backend());
            log.endpoint(endpoint);
        }
        if (endpoint == null) {
            respondLocal(HttpResponseStatus.SERVICE_UNAVAILABLE, "no ready endpoints for " + cluster.name());
            return;
        }
        MessageHeaders.prepareUpstreamRequest(request, http2, websocket, expectsBody, remote.getAddress(), originalHost,
                scheme);
        ForwardedClientCert.apply(request.headers(), client);
        if (log != null) {
            log.upstreamStart(System.nanoTime());
            observer.onUpstreamRequest(log, request.headers());
        }
        pool = owner.context().pools().forLoop(client.eventLoop());
        mirrors = Mirrors.start(exchange.mirrors(), request, queued, pool, backendTimeoutNanos, observer, route);
        if (expectContinue && !requestComplete) {
            client.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER), client.voidPromise());
        }
        state = CONNECTING;
        if (!websocket) {
            UpstreamHandler idle = pool.pollIdle(endpoint);
            if (idle != null) {
                bind(idle);
                return;
            }
        }
        connect();
    }

    private void connect() {
        ChannelFuture f = pool.connect(endpoint);
        if (f.isDone()) {
            onConnect(f);
        } else {
            f.addListener(future -> onConnect((ChannelFuture) future));
        }
    }

    private void onConnect(ChannelFuture f) {
        if (aborted || state != CONNECTING) {
            if (f.isSuccess()) {
                f.channel().close();
            }
            return;
        }
        if (!f.isSuccess()) {
            filters.backend().cluster().reportFailure(endpoint, UpstreamErrors.describe(f.cause())); // passive health
            fail(HttpResponseStatus.BAD_GATEWAY, "upstream connect error: " + UpstreamErrors.describe(f.cause())
                    + " (" + UpstreamErrors.address(endpoint) + ")");
            return;
        }
        bind(f.channel().pipeline().get(UpstreamHandler.class));
    }

    private void bind(UpstreamHandler h) {
        upstream = h;
        state = FORWARDING;
        headDeadline = backendTimeoutNanos > 0 ? System.nanoTime() + backendTimeoutNanos : 0;
        h.bind(this);
        Channel up = h.channel();
        // a non-idempotent request on a reused connection may be replayed only if its head never left: the
        // only case that needs to know, so the only one that pays for a promise
        headWrite = h.reused() && !IdempotentMethods.contains(request.method()) ? up.newPromise() : null;
        up.write(request, headWrite == null ? up.voidPromise() : headWrite);
        if (queued != null) {
            HttpContent c;
            while ((c = queued.poll()) != null) {
                writeBody(c);
            }
            queuedBytes = 0;
        }
        if (retried && requestComplete && !requestSent) {
            // a retry of a body-less request whose last content went to the dead connection
            up.write(LastHttpContent.EMPTY_LAST_CONTENT, up.voidPromise());
            requestSent = true;
        }
        if (owner.inReadBatch()) {
            upstreamFlushPending = true;
        } else {
            upstreamFlushPending = false;
            up.flush();
        }
        owner.updateAutoRead();
    }

    void onRequestContent(HttpContent c) {
        if (c.decoderResult().isFailure()) {
            c.release();
            requestComplete = true;
            closeClient = true;
            abortMirrors();
            fail(HttpResponseStatus.BAD_REQUEST, "malformed request body");
            return;
        }
        if (c instanceof LastHttpContent) {
            requestComplete = true;
        }
        if (log != null) {
            log.addRequestBytes(c.content().readableBytes());
        }
        switch (state) {
            case FORWARDING -> {
                offerToMirrors(c);
                writeBody(c);
                upstreamFlushPending = true;
            }
            case ROUTING, SUSPENDED, CONNECTING -> {
                if (state == CONNECTING) {
                    offerToMirrors(c);
                }
                if (queued == null) {
                    queued = new ArrayDeque<>();
                }
                queued.add(c);
                queuedBytes += c.content().readableBytes();
                if (queuedBytes > MAX_QUEUED_BYTES) {
                    owner.updateAutoRead();
                }
            }
            default -> c.release();
        }
        maybeFinish();
    }

    private void writeBody(HttpContent c) {
        if (c.content().isReadable()) {
            bodyForwarded = true;
        }
        if (c instanceof LastHttpContent) {
            requestSent = true;
        }
        Channel up = upstream.channel();
        up.write(c, up.voidPromise());
    }

    /** Flushes what this client read batch wrote upstream (called from the client's channelReadComplete). */
    void flushUpstream() {
        if (upstreamFlushPending && upstream != null) {
            upstreamFlushPending = false;
            upstream.channel().flush();
        }
        if (mirrors != null) {
            mirrors.flush();
        }
    }

    private void offerToMirrors(HttpContent c) {
        if (mirrors != null) {
            mirrors.offer(c);
        }
    }

    private void abortMirrors() {
        if (mirrors != null) {
            mirrors.abortIncomplete();
        }
    }

    // ---------------------------------------------------------------- response side

    @Override
    public void onUpstreamRead(Object msg) {
        if (state != FORWARDING) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse response) {
            int code = response.status().code();
            if (code >= 100 && code < 200 && code != 101) {
                // interim answers: Expect is answered by the gateway, so these are dropped
                skipInterim = true;
                ReferenceCountUtil.release(msg);
                return;
            }
            onResponseHead(response);
            if (!(msg instanceof HttpContent)) {
                return;
            }
        }
        if (msg instanceof HttpContent c) {
            if (skipInterim) {
                if (c instanceof LastHttpContent) {
                    skipInterim = false;
                }
                c.release();
                return;
            }
            if (!responseHeadSent || state != FORWARDING) {
                c.release();
                return;
            }
            if (c.decoderResult().isFailure()) {
                c.release();
                abort("invalid upstream response body");
                return;
            }
            if (log != null) {
                log.addResponseBytes(c.content().readableBytes());
            }
            if (c instanceof LastHttpContent) {
                onResponseComplete((LastHttpContent) c);
            } else {
                client.write(c, client.voidPromise());
                clientFlushPending = true;
            }
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    private void onResponseHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            fail(HttpResponseStatus.BAD_GATEWAY, "upstream sent an invalid response (" + UpstreamErrors.address(endpoint) + ")");
            return;
        }
        int code = response.status().code();
        boolean upgraded = websocket && code == 101;
        upstreamReusable = !websocket && HttpUtil.isKeepAlive(response);
        if (!runResponseFilters(response)) {
            // fail closed: the head has not left, and a filter that may have been meant to strip or rewrite it
            // did not finish (the upstream connection is closed, its body released as it arrives)
            respondLocal(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: response filter failed");
            return;
        }
        HttpHeaders h = response.headers();
        HopByHopHeaders.strip(h, upgraded);
        if (upgraded) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            pendingSplice = true;
        } else if (!http2) {
            boolean requestStillComing = expectsBody && !requestComplete;
            closeClient = MessageHeaders.prepareHttp1Response(response, clientVersion, headRequest,
                    closeClient || requestStillComing || !keepClient());
        }
        decorateResponse(response);
        responseHeadSent = true;
        client.write(response, client.voidPromise());
        clientFlushPending = true;
        if (closeClient) {
            owner.markClosing();
        }
    }

    /** @return false when a filter threw (logged and counted) */
    private boolean runResponseFilters(HttpResponse response) {
        try {
            filters.onResponse(exchange, response);
            return true;
        } catch (RuntimeException e) {
            filterFailed("response", e);
            return false;
        }
    }

    /** A filter threw in {@code phase} ("request" or "response"): one log line with the request id, one count. */
    private void filterFailed(String phase, Throwable e) {
        LOG.warn("{} filter failed for {} {} (route {}, request id {}): answered 500", phase, request.method(),
                request.uri(), route == null ? "-" : route.ref().ruleLabel(), requestId == null ? "-" : requestId, e);
        if (observer != null) {
            observer.filterFailed(route, phase);
        }
    }

    private void onResponseComplete(LastHttpContent last) {
        responseComplete = true;
        if (log != null) {
            log.upstreamEnd(System.nanoTime());
        }
        if (pendingSplice) {
            last.release();
            UpstreamHandler h = upstream;
            upstream = null;
            state = SPLICED;
            h.unbind();
            client.flush();
            clientFlushPending = false;
            owner.spliced(this);
            WebSocketSplice.join(client, h.channel());
            observeEnd();
            return;
        }
        if (closeClient) {
            client.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
            clientFlushPending = false;
        } else {
            // the upstream is released below, so its channelReadComplete will no longer reach this
            // exchange: flush now (head, body and last still leave in one write when they came in one read)
            client.writeAndFlush(last, client.voidPromise());
            clientFlushPending = false;
        }
        finishUpstream();
        if (!requestComplete) {
            state = LOCAL; // answered before the request ended: the rest of its body is dropped
            abortMirrors();
        }
        observeEnd();
        maybeFinish();
    }

    private void finishUpstream() {
        UpstreamHandler h = upstream;
        upstream = null;
        if (h == null) {
            return;
        }
        Channel up = h.channel();
        if (upstreamFlushPending) {
            upstreamFlushPending = false;
            up.flush();
        }
        if (upstreamReusable && requestSent && up.isActive()) {
            if (!up.config().isAutoRead()) {
                up.config().setAutoRead(true);
            }
            pool.release(h);
        } else {
            h.unbind();
            up.close();
        }
    }

    private void maybeFinish() {
        if (finished || !requestComplete || !responseComplete) {
            return;
        }
        finished = true;
        if (state != SPLICED) {
            state = LOCAL;
        }
        owner.exchangeFinished(this, closeClient);
    }

    @Override
    public void onUpstreamReadComplete() {
        if (clientFlushPending) {
            clientFlushPending = false;
            client.flush();
        }
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        owner.updateAutoRead();
    }

    /** Client writability: pause the upstream while the client cannot take more of the response. */
    void onClientWritabilityChanged(boolean writable) {
        UpstreamHandler h = upstream;
        if (h != null && state == FORWARDING) {
            h.channel().config().setAutoRead(writable);
        }
    }

    @Override
    public void onUpstreamInactive(Throwable cause) {
        UpstreamHandler h = upstream;
        upstream = null;
        if (state != FORWARDING || responseComplete) {
            return;
        }
        if (!responseHeadSent) {
            if (h != null && h.reused() && !retried && !bodyForwarded && requestComplete) {
                // the backend closed an idle pooled connection as we reused it: one retry on a fresh one, unless
                // the backend may have acted on it (RFC 9110 9.2.2: a POST or PATCH must not run twice)
                if (IdempotentMethods.contains(request.method()) || headNeverLeft()) {
                    retried = true;
                    requestSent = false;
                    state = CONNECTING;
                    connect();
                } else {
                    fail(HttpResponseStatus.BAD_GATEWAY, "upstream closed a reused connection before the response; "
                            + request.method() + " not replayed, it is not idempotent ("
                            + UpstreamErrors.address(endpoint) + ")");
                }
                return;
            }
            filters.backend().cluster().reportFailure(endpoint, // passive health
                    cause == null ? "connection closed before response" : UpstreamErrors.describe(cause));
            fail(HttpResponseStatus.BAD_GATEWAY, "upstream connect error: "
                    + (cause == null ? "connection closed before response" : UpstreamErrors.describe(cause))
                    + " (" + UpstreamErrors.address(endpoint) + ")");
        } else {
            abort("upstream closed mid-response");
        }
    }

    /** True when the write of the head to a reused connection failed: no whole request reached the backend. */
    private boolean headNeverLeft() {
        ChannelPromise p = headWrite;
        return p != null && p.isDone() && !p.isSuccess();
    }

    @Override
    public long deadlineNanos() {
        if (state != FORWARDING) {
            return 0;
        }
        long d = responseHeadSent ? 0 : headDeadline;
        if (requestDeadline != 0 && (d == 0 || requestDeadline - d < 0)) {
            d = requestDeadline;
        }
        return d;
    }

    @Override
    public void onDeadline() {
        boolean whole = requestDeadline != 0 && System.nanoTime() - requestDeadline >= 0;
        fail(HttpResponseStatus.GATEWAY_TIMEOUT, whole ? "request timeout" : "upstream timeout");
    }

    // ---------------------------------------------------------------- errors and teardown

    /** An error before the response head: answer it; after: break the connection (h1) or stream (h2). */
    private void fail(HttpResponseStatus status, String message) {
        if (responseHeadSent) {
            abort(message);
        } else {
            respondLocal(status, message);
        }
    }

    private void abort(String why) {
        LOG.debug("aborting {} {}: {}", request.method(), request.uri(), why);
        if (log != null) {
            log.failure(why);
        }
        closeUpstream();
        abortMirrors();
        dropQueued();
        state = LOCAL;
        aborted = true;
        owner.markClosing();
        client.close();
        observeEnd();
    }

    private void respondLocal(HttpResponseStatus status, String message) {
        if (log != null) {
            log.failure(message);
        }
        if (responseHeadSent) {
            abort(message);
            return;
        }
        boolean close = closeAfterLocalAnswer();
        writeLocal(GatewayResponses.text(client.alloc(), status, message, close), close);
    }

    private void respondFromFilter(FullHttpResponse response) {
        boolean close = closeAfterLocalAnswer();
        GatewayResponses.prepare(response, close);
        writeLocal(response, close);
    }

    /**
     * Whether an HTTP/1.1 connection closes after an answer of the gateway's own: also when the rest of the
     * request body would otherwise be read as the next request.
     */
    private boolean closeAfterLocalAnswer() {
        return !http2 && (closeClient || !keepClient() || expectsBody && !requestComplete);
    }

    /** An HTTP/1.1 connection stays open after this response if the client wants it and the server is not draining. */
    private boolean keepClient() {
        return clientKeepAlive && !owner.context().draining();
    }

    private void writeLocal(FullHttpResponse response, boolean close) {
        closeUpstream();
        dropQueued();
        if (!requestComplete) {
            abortMirrors(); // the rest of the body is dropped, so no copy could be completed
        }
        state = LOCAL;
        closeClient = close;
        responseHeadSent = true;
        responseComplete = true;
        if (!http2) {
            response.setProtocolVersion(clientVersion == HttpVersion.HTTP_1_0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1);
        }
        decorateResponse(response);
        if (log != null) {
            log.addResponseBytes(response.content().readableBytes());
        }
        if (close) {
            owner.markClosing();
            client.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            client.writeAndFlush(response, client.voidPromise());
        }
        observeEnd();
        maybeFinish();
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
        dropQueued();
        if (state != SPLICED) {
            closeUpstream();
            abortMirrors();
        }
    }

    private void closeUpstream() {
        UpstreamHandler h = upstream;
        upstream = null;
        if (h != null) {
            h.unbind();
            h.channel().close();
        }
    }

    private void dropQueued() {
        if (queued != null) {
            HttpContent c;
            while ((c = queued.poll()) != null) {
                c.release();
            }
        }
        queuedBytes = 0;
    }
}
