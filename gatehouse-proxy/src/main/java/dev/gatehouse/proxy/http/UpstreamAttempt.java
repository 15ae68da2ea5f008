package dev.gatehouse.proxy.http;

import dev.gatehouse.ir.BackendProtocol;
import dev.gatehouse.ir.BackendTimeoutSpec;
import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.CircuitBreakerSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.RetrySpec;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.proxy.resilience.ClusterBreaker;
import dev.gatehouse.proxy.resilience.ReplayBuffer;
import dev.gatehouse.proxy.resilience.RetryTriggers;
import dev.gatehouse.proxy.resilience.RetryTriggers.Failure;
import dev.gatehouse.proxy.upstream.UpstreamHandler;
import dev.gatehouse.proxy.upstream.UpstreamKey;
import dev.gatehouse.proxy.upstream.UpstreamListener;
import dev.gatehouse.proxy.upstream.UpstreamPool;
import dev.gatehouse.proxy.upstream.UpstreamStreamReset;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.balance.HashCookie;
import dev.gatehouse.routing.balance.PickContext;
import dev.gatehouse.routing.filter.UpstreamCalls;
import dev.gatehouse.routing.session.SessionAffinity;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.gatehouse.proxy.http.ProxyExchange.CONNECTING;
import static dev.gatehouse.proxy.http.ProxyExchange.FORWARDING;

/**
 * The upstream side of one exchange: the endpoint pick, a connection from the client loop's own pool (or a new
 * one on that loop), the request written to it, the deadlines the connection's timer checks, the one replay
 * of a request that a reused connection lost before any response, and the retries of the rule's
 * {@link RetrySpec}. Response objects go to the {@link ResponseRelay}; the connection goes back to the pool or is
 * closed when the exchange is done with it.
 *
 * <p>Retries: a failed attempt (no connection, a reset, a per-try timeout, an answer the spec retries) is tried
 * again after a full-jitter back-off scheduled on the client's loop, on another endpoint when there is one
 * ({@link #avoid()}), while the request can be replayed: idempotent or not yet acted on, and its body, if any, still
 * held whole by the {@link ReplayBuffer}. An answer that is retried is drained from its connection (which is then
 * pooled or closed), never relayed. The cluster's {@link ClusterBreaker} counts the request, its pending connect and
 * its retries; over a limit the request gets 503 with {@code x-gatehouse-overflow}.
 */
final class UpstreamAttempt implements UpstreamListener, PickContext, UpstreamCalls {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamAttempt.class);
    private static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");

    private final ProxyExchange ex;
    private Cluster cluster;
    private InetSocketAddress endpoint;
    private InetSocketAddress avoid;
    private UpstreamKey key;
    private UpstreamPool pool;
    private UpstreamHandler handler;
    /** the connect or stream open in progress, so a late completion of an abandoned one is told apart */
    private Future<?> connecting;
    /** the write of the head to a reused connection, when the request is not idempotent; else null */
    private ChannelPromise headWrite;
    /** the forwarding lines the HTTP/1.1 encoder writes after the head's map, not in it; null: they are in it */
    private CharSequence[] forwardedLines;
    private long backendTimeoutNanos;
    /** the rule set timeouts.request or backendRequest: they win over the cluster's requestTimeout */
    private boolean ruleTimeouts;
    private long headDeadline;
    /**
     * Whether the backend timeout in force is the gateway's default, which counts from the end of the request as
     * Envoy's route timeout does (a timeout the route, a policy or a retry's perTryTimeout sets counts from the head,
     * as Gateway API's backendRequest says): while the body is still going up, each piece moves the deadline.
     */
    private boolean deadlineFollowsBody;
    private long perTryNanos;
    private long requestDeadline;
    private boolean requestSent;
    /** an attempt was bound to a connection and wrote the request (the queued body left the pipeline then) */
    private boolean wroteBefore;
    private boolean bodyForwarded;
    private boolean reusable;
    /** the one replay of a request a reused connection lost was used */
    private boolean replayed;
    private boolean flushPending;
    private boolean writingBody;
    /** the cluster {@link #endpoint} was picked from, until {@link #finishPick} tells it the request ended */
    private Cluster pickedFrom;
    /** a hash cookie this request lacked: generated by its first pick, set by the response */
    private HashCookie hashCookie;
    private String hashCookieValue;
    /** the endpoint a valid session token named, and that session's start (epoch seconds) */
    private InetSocketAddress preferred;
    private long sessionStart = -1;

    private CircuitBreakerSpec limits;
    private ClusterBreaker breaker;
    private boolean holdsRequest;
    private boolean holdsPending;
    private boolean holdsRetry;
    private int connectTimeoutMillis;
    private long idleTimeoutNanos;
    private long maxConnectionAgeNanos;
    private long maxRequestsPerConnection;
    private RetrySpec retry;
    /** the body sent so far, while a retry may need it; null when the request is not retried */
    private ReplayBuffer replay;
    private int retries;
    private ScheduledFuture<?> backOff;

    UpstreamAttempt(ProxyExchange ex) {
        this.ex = ex;
    }

    void applyTimeouts(TimeoutSpec timeouts) {
        Duration backendRequest = timeouts == null ? null : timeouts.backendRequest();
        backendTimeoutNanos = backendRequest == null ? ex.owner.defaultBackendTimeoutNanos() : backendRequest.toNanos();
        Duration whole = timeouts == null ? null : timeouts.request();
        if (whole != null && !whole.isZero()) {
            requestDeadline = System.nanoTime() + whole.toNanos();
        }
        ruleTimeouts = backendRequest != null || whole != null;
        deadlineFollowsBody = backendRequest == null;
    }

    /** The cluster's BackendTrafficPolicy: its timeouts, reuse limits and circuit breaker. */
    private void applyTraffic(BackendTrafficSpec traffic) {
        BackendTimeoutSpec t = traffic == null ? null : traffic.timeout();
        if (t != null) {
            if (t.requestTimeout() != null && !ruleTimeouts) {
                deadlineFollowsBody = false;
                backendTimeoutNanos = t.requestTimeout().toNanos();
                if (backendTimeoutNanos > 0) {
                    requestDeadline = System.nanoTime() + backendTimeoutNanos;
                }
            }
            connectTimeoutMillis = t.connectTimeout() == null ? 0
                    : (int) Math.max(1, Math.min(Integer.MAX_VALUE, t.connectTimeout().toMillis()));
            idleTimeoutNanos = t.connectionIdleTimeout() == null ? 0 : t.connectionIdleTimeout().toNanos();
            maxConnectionAgeNanos = t.maxConnectionDuration() == null ? 0 : t.maxConnectionDuration().toNanos();
        }
        limits = traffic == null ? null : traffic.circuitBreaker();
        maxRequestsPerConnection = limits == null || limits.maxRequestsPerConnection() == null ? 0
                : limits.maxRequestsPerConnection();
    }

    InetSocketAddress endpoint() {
        return endpoint;
    }

    /** Routing and filters accepted the request: pick an endpoint and get a connection to it. */
    void forward() {
        Cluster cluster = ex.filters.backend().cluster();
        this.cluster = cluster;
        ClusterSpec spec = cluster.spec();
        applyTraffic(spec == null ? null : spec.traffic());
        breaker = ex.owner.context().breakers().of(cluster);
        if (ex.log != null) {
            ex.log.backend(ex.filters.backend());
        }
        if (!breaker.tryRequest(limits)) {
            overflow(ClusterBreaker.MAX_PARALLEL_REQUESTS, "requests in flight");
            return;
        }
        holdsRequest = true;
        retry = ex.websocket ? null : ex.route.retry();
        if (retry != null && retry.numRetries() > 0
                && HttpUtil.getContentLength(ex.request, -1L) <= ReplayBuffer.MAX_BYTES) {
            replay = new ReplayBuffer();
        }
        if (!pick()) {
            return;
        }
        BackendProtocol protocol = cluster.protocol();
        if (ex.websocket && protocol == BackendProtocol.HTTP_2) {
            ex.answers.respond(HttpResponseStatus.BAD_GATEWAY, "WebSocket to an HTTP/2 backend is not supported ("
                    + cluster.name() + ")");
            return;
        }
        key = new UpstreamKey(endpoint, protocol, cluster.tls());
        // TE is hop-by-hop, but "TE: trailers" is how a gRPC client says it reads trailers: an h2 backend is told too
        boolean teTrailers = protocol == BackendProtocol.HTTP_2
                && ex.request.headers().containsValue(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS, true);
        forwardedLines = MessageHeaders.prepareUpstreamRequest(ex.request, ex.http2, ex.websocket, ex.expectsBody,
                ex.owner.forwardedClient(), ex.originalHost, ex.scheme, forwardedLinesApart(protocol));
        if (teTrailers) {
            ex.request.headers().set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
        ForwardedClientCert.apply(ex.request.headers(), ex.client.connection());
        // one clock read for the request log's upstream start, a pooled connection's age and its head deadline (a
        // small GET read the clock 14 times, ~2 % of its CPU: docs/performance.md, session 14)
        long now = System.nanoTime();
        if (ex.log != null) {
            ex.log.upstreamStart(now);
            ex.observer.onUpstreamRequest(ex.log, ex.request.headers());
        }
        ExchangeClient client = ex.client;
        pool = ex.owner.context().pools().forLoop(client.eventLoop());
        ex.mirrors = Mirrors.start(ex.exchange.mirrors(), ex.request, ex.pipeline.queued(), pool, backendTimeoutNanos,
                ex.observer, ex.route);
        if (ex.expectContinue && !ex.requestComplete) {
            client.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER));
        }
        ex.state = CONNECTING;
        obtainConnection(now);
    }

    /** A filter's question to another cluster (ext-auth), on this exchange's loop and pool. */
    @Override
    public java.util.concurrent.CompletionStage<Answer> call(Cluster to, io.netty.handler.codec.http.HttpRequest head,
                                                             Duration timeout, int maxBodyBytes) {
        return SideCall.start(ex.owner.context().pools().forLoop(ex.client.eventLoop()), to, head, timeout,
                maxBodyBytes);
    }

    /** @return true when the cluster gave an endpoint; false when it has none, answered 503 */
    private boolean pick() {
        endpoint = cluster.pick(this);
        pickedFrom = endpoint == null ? null : cluster;
        if (ex.log != null) {
            ex.log.endpoint(endpoint);
        }
        if (endpoint == null) {
            ex.answers.respond(HttpResponseStatus.SERVICE_UNAVAILABLE, "no ready endpoints for " + cluster.name());
            return false;
        }
        return true;
    }

    /** A pooled HTTP/1.1 connection to {@link #key}, else a new connection (or stream); {@code now}: nanoTime. */
    private void obtainConnection(long now) {
        if (!ex.websocket && key.protocol() == BackendProtocol.HTTP_1_1) {
            UpstreamHandler idle = pool.pollIdle(key, now);
            if (idle != null) {
                bind(idle, now);
                return;
            }
        }
        connect();
    }

    /** A new HTTP/1.1 connection, or a stream on an HTTP/2 one (on a new connection for a replay). */
    private void connect() {
        if (!breaker.tryPending(limits)) {
            overflow(ClusterBreaker.MAX_PENDING_REQUESTS, "requests waiting for a connection");
            return;
        }
        holdsPending = true;
        Future<?> f;
        if (key.protocol() == BackendProtocol.HTTP_2) {
            f = pool.openStream(key, replayed);
        } else {
            String refused = breaker.tryConnection(limits, endpoint);
            if (refused != null) {
                releasePending();
                overflow(refused, "connections");
                return;
            }
            ChannelFuture connect = pool.connect(key, connectTimeoutMillis);
            ClusterBreaker b = breaker;
            InetSocketAddress to = endpoint;
            connect.channel().closeFuture().addListener(c -> b.releaseConnection(to));
            f = connect;
        }
        connecting = f;
        if (f.isDone()) {
            onConnect(f);
        } else {
            f.addListener(this::onConnect);
        }
    }

    private void onConnect(Future<?> f) {
        if (f != connecting || ex.aborted || ex.state != CONNECTING) {
            if (f.isSuccess()) {
                channelOf(f).close();
            }
            return;
        }
        connecting = null;
        releasePending();
        if (!f.isSuccess()) {
            String why = UpstreamErrors.describe(f.cause());
            cluster.reportFailure(endpoint, why); // passive health
            if (!retries(Failure.CONNECT)) {
                failAfterRetries(HttpResponseStatus.BAD_GATEWAY, "upstream connect error: " + why
                        + " (" + UpstreamErrors.address(endpoint) + ")");
            }
            return;
        }
        bind(channelOf(f).pipeline().get(UpstreamHandler.class), System.nanoTime());
    }

    private static Channel channelOf(Future<?> connected) {
        return connected instanceof ChannelFuture f ? f.channel() : (Channel) connected.getNow();
    }

    /** {@code now}: a {@link System#nanoTime()} just read, where the head deadline counts from */
    private void bind(UpstreamHandler h, long now) {
        handler = h;
        ex.state = FORWARDING;
        boolean retryTimeout = retry != null && retry.perTryTimeout() != null;
        long perTry = retryTimeout ? retry.perTryTimeout().toNanos() : backendTimeoutNanos;
        perTryNanos = deadlineFollowsBody && !retryTimeout ? perTry : 0;
        headDeadline = perTry > 0 ? now + perTry : 0;
        h.reuseLimits(idleTimeoutNanos, maxConnectionAgeNanos, maxRequestsPerConnection);
        h.bind(this);
        Channel up = h.channel();
        // a non-idempotent request on a reused connection may be replayed only if its head never left: the
        // only case that needs to know, so the only one that pays for a promise
        headWrite = h.reused() && !IdempotentMethods.contains(ex.request.method()) ? up.newPromise() : null;
        if (rawResponseApplies()) {
            h.expectRawResponse();
        }
        if (forwardedLines != null && !h.appendToNextHead(forwardedLines)) {
            ForwardedHeaders.add(ex.request.headers(), forwardedLines);
            forwardedLines = null;
        }
        up.write(ex.request, headWrite == null ? up.voidPromise() : headWrite);
        if (wroteBefore) {
            // what an earlier attempt wrote went to a lost connection: the body from the replay buffer, or (a
            // request replayed without one never sent a body byte) just its end
            requestSent = false;
            if (replay != null && replay.complete()) {
                requestSent = replay.replay(up);
            } else if (ex.requestComplete) {
                up.write(LastHttpContent.EMPTY_LAST_CONTENT, up.voidPromise());
                requestSent = true;
            }
        }
        wroteBefore = true;
        HttpContent c;
        while ((c = ex.pipeline.pollQueued()) != null) {
            writeBody(c);
        }
        if (ex.owner.inReadBatch()) {
            flushPending = true;
        } else {
            flushPending = false;
            up.flush();
        }
        ex.owner.updateAutoRead();
    }

    /**
     * Request body content while forwarding: written now, flushed at the end of the client's read batch; or at once
     * when it takes the upstream over its high-water mark (one 64 KiB read does), and then the client pauses only if
     * the upstream's socket did not take it (as {@link ResponseRelay} does for responses).
     */
    void send(HttpContent c) {
        if (!onOwnSocket()) {
            writeBody(c); // a stream's writability is its flow-control window, which a flush does not open
            flushPending = true;
            return;
        }
        writingBody = true;
        try {
            writeBody(c);
        } finally {
            writingBody = false;
        }
        Channel up = handler.channel();
        if (up.isWritable()) {
            flushPending = true;
            return;
        }
        flushPending = false;
        up.flush();
        if (!up.isWritable()) {
            ex.owner.updateAutoRead();
        }
    }

    private void writeBody(HttpContent c) {
        if (c.content().isReadable()) {
            bodyForwarded = true;
        }
        if (perTryNanos > 0) {
            // a backend that stops reading stops the upload (back-pressure), so this deadline still comes
            headDeadline = System.nanoTime() + perTryNanos;
        }
        if (c instanceof LastHttpContent) {
            requestSent = true;
        }
        if (replay != null) {
            replay.add(c);
        }
        Channel up = handler.channel();
        up.write(c, up.voidPromise());
    }

    void flush() {
        if (flushPending && handler != null) {
            flushPending = false;
            handler.channel().flush();
        }
    }

    /**
     * Whether the upstream is a socket of its own, whose writability a flush can restore (not an h2 stream, whose
     * writability is its flow-control window).
     */
    boolean onOwnSocket() {
        UpstreamHandler h = handler;
        return h != null && !(h.channel() instanceof Http2StreamChannel);
    }

    /** @return true while the request is still being sent and the connection cannot take more */
    boolean saturated() {
        UpstreamHandler h = handler;
        return !requestSent && h != null && !h.channel().isWritable();
    }

    /** Reads the response while the client can take it. */
    void readResponse(boolean read) {
        UpstreamHandler h = handler;
        if (h != null) {
            StreamReads.setAutoRead(h.channel(), read);
        }
    }

    /** Whether the connection may serve another request once this response ended (the response head says). */
    void reusable(boolean reusable) {
        this.reusable = reusable;
    }

    /**
     * The request to the picked endpoint ended, whatever the outcome: least request's count goes down, once per
     * pick. Every end of an exchange goes through {@link #release}, {@link #detachForSplice} or {@link #close}.
     */
    private void finishPick() {
        Cluster c = pickedFrom;
        if (c != null) {
            pickedFrom = null;
            c.requestFinished(endpoint);
        }
    }

    /**
     * Whether the X-Forwarded-* and Forwarded lines may skip the header map and be written by the HTTP/1.1 encoder
     * after it: when nothing reads or adds to the map after them, so that they would have been its last lines
     * anyway (no trace header, no client certificate header, no mirror copying the head, no WebSocket splice).
     * Their 4 map entries were ~230 of the ~1,600 bytes a small GET allocated (docs/performance.md, session 13).
     */
    private boolean forwardedLinesApart(BackendProtocol protocol) {
        return protocol == BackendProtocol.HTTP_1_1 && !ex.websocket && ex.exchange.mirrors().isEmpty()
                && (ex.log == null || !ex.observer.readsUpstreamRequest()) && !ForwardedClientCert.mayAdd(ex.client.connection());
    }

    /**
     * Whether the response may reach the client as the upstream's bytes rewritten ({@link ResponseRelay}'s raw
     * path): a GET from an HTTP/1.1 client whose response nothing but the hop-by-hop rules and the request id
     * touch. No retry policy either: its drain and status triggers read the decoded head.
     */
    private boolean rawResponseApplies() {
        return HttpMethod.GET.equals(ex.request.method()) && !ex.http2 && ex.clientVersion == HttpVersion.HTTP_1_1
                && !ex.websocket && retry == null && !ex.debugTrace && hashCookie == null
                && ex.filters.noResponseFilters() && sessionHeader() == null;
    }

    /** The {@code Set-Cookie} of a hash cookie generated for this request, or {@code null}. */
    String generatedSetCookie() {
        return hashCookie == null ? null : hashCookie.setCookie(hashCookieValue);
    }

    /** The {name, value} of the header that starts or refreshes the rule's session (sessionPersistence), or null. */
    String[] sessionHeader() {
        SessionAffinity session = ex.route == null ? null : ex.route.session();
        if (session == null || endpoint == null) {
            return null;
        }
        return session.responseHeader(ex.filters.backend().cluster(), endpoint,
                endpoint.equals(preferred) ? sessionStart : -1);
    }

    /** The response ended: the connection goes back to the pool, or is closed when it cannot be reused. */
    void release() {
        release(System.nanoTime());
    }

    /** {@link #release()} at {@code now}, a {@link System#nanoTime()} just read. */
    void release(long now) {
        finishPick();
        finish();
        UpstreamHandler h = handler;
        handler = null;
        if (h == null) {
            return;
        }
        Channel up = h.channel();
        if (flushPending) {
            flushPending = false;
            up.flush();
        }
        if (reusable && requestSent && up.isActive()) {
            if (!up.config().isAutoRead()) {
                up.config().setAutoRead(true);
            }
            pool.release(h, now);
        } else {
            h.unbind();
            up.close();
        }
    }

    /** Hands the connection to a WebSocket splice: this attempt lets go of it without closing it. */
    Channel detachForSplice() {
        finishPick();
        finish();
        UpstreamHandler h = handler;
        handler = null;
        h.unbind();
        return h.channel();
    }

    void close() {
        finishPick();
        finish();
        dropConnection();
    }

    private void dropConnection() {
        UpstreamHandler h = handler;
        handler = null;
        if (h != null) {
            h.unbind();
            h.channel().close();
        }
    }

    /** The exchange is done with the upstream side: every breaker slot it holds and the replay buffer go, once. */
    private void finish() {
        if (backOff != null) {
            backOff.cancel(false);
            backOff = null;
        }
        releasePending();
        if (holdsRetry) {
            holdsRetry = false;
            breaker.releaseRetry();
        }
        if (holdsRequest) {
            holdsRequest = false;
            breaker.releaseRequest();
        }
        if (replay != null) {
            replay.release();
        }
    }

    private void releasePending() {
        if (holdsPending) {
            holdsPending = false;
            breaker.releasePending();
        }
    }

    private void overflow(String limit, String what) {
        if (ex.observer != null) {
            ex.observer.upstreamOverflow(cluster.name(), limit);
        }
        ex.answers.overflow(limit, "upstream overflow: cluster " + cluster.name() + " is at its limit of " + what
                + " (" + limit + ")");
    }

    // ---------------------------------------------------------------- retries

    /**
     * A response head arrived: when the retry spec retries it and the request may go again, the answer is drained
     * from its connection (pooled or closed once it ended) and a retry is scheduled.
     *
     * @return true when the head was taken for a retry (the caller relays nothing); false to relay it
     */
    boolean retriesAnswer(HttpResponse response) {
        RetrySpec spec = retry;
        if (spec == null) {
            return false;
        }
        int status = response.status().code();
        if (ex.responseHeadSent || !RetryTriggers.retries(spec, status, response.headers().get(GRPC_STATUS))
                || !mayRetry(true)) {
            relayingAnswer();
            return false;
        }
        cluster.reportResponse(endpoint, status); // passive health sees the answers it never relays too
        UpstreamHandler h = handler;
        handler = null;
        Drain drain = new Drain(h, pool, requestSent && key.protocol() == BackendProtocol.HTTP_1_1
                && HttpUtil.isKeepAlive(response));
        h.handOver(drain);
        drain.onUpstreamRead(response);
        startRetry("upstream answered " + status);
        return true;
    }

    /** The answer goes to the client: nothing is retried from now on, so the held body is let go. */
    private void relayingAnswer() {
        if (retries > 0 && ex.observer != null) {
            ex.observer.upstreamRetry(cluster.name(), "success");
        }
        retry = null;
        if (replay != null) {
            replay.release();
        }
    }

    /** @return true when a retry of {@code failure} was scheduled (the caller answers nothing) */
    private boolean retries(Failure failure) {
        if (retry == null || ex.responseHeadSent || !RetryTriggers.retries(retry, failure)
                || !mayRetry(failure.mayHaveRun())) {
            return false;
        }
        startRetry(failure.name());
        return true;
    }

    /**
     * Whether one more attempt may start: retries left, the request replayable, time left, and the cluster's retry
     * budget (or maxParallelRetries) has room; takes the exchange's retry slot on its first retry.
     *
     * @param mayHaveRun the backend may have acted on the request: only an idempotent one goes again
     */
    private boolean mayRetry(boolean mayHaveRun) {
        String outcome = null;
        if (retries >= retry.numRetries()) {
            outcome = "exhausted";
        } else if (mayHaveRun && !IdempotentMethods.contains(ex.request.method())
                || bodyForwarded && (replay == null || !replay.complete())) {
            outcome = "not-replayable";
        } else if (requestDeadline != 0 && System.nanoTime() - requestDeadline >= 0) {
            return false; // the caller answers 504 for the whole request
        } else if (!holdsRetry) {
            String refused = breaker.tryRetry(limits);
            if (refused == null) {
                holdsRetry = true;
            } else {
                outcome = "overflow";
                if (ex.observer != null) {
                    ex.observer.upstreamOverflow(cluster.name(), refused);
                }
            }
        }
        if (outcome != null) {
            if (ex.observer != null) {
                ex.observer.upstreamRetry(cluster.name(), outcome);
            }
            return false;
        }
        return true;
    }

    /** Leaves the failed endpoint and schedules the next attempt after the back-off, on the client's loop. */
    private void startRetry(String why) {
        retries++;
        if (ex.observer != null) {
            ex.observer.upstreamRetry(cluster.name(), "retried");
        }
        if (ex.log != null) {
            ex.log.retried();
        }
        LOG.debug("retry {} of {} {} after {} ({})", retries, ex.request.method(), ex.request.uri(), why,
                UpstreamErrors.address(endpoint));
        finishPick();
        avoid = endpoint;
        ex.state = CONNECTING;
        long wait = RetryTriggers.backOffNanos(retry, retries - 1);
        if (requestDeadline != 0) {
            wait = Math.max(0, Math.min(wait, requestDeadline - System.nanoTime()));
        }
        backOff = ex.client.eventLoop().schedule(this::retryNow, wait, TimeUnit.NANOSECONDS);
    }

    private void retryNow() {
        backOff = null;
        if (ex.aborted || ex.state != CONNECTING) {
            return;
        }
        if (requestDeadline != 0 && System.nanoTime() - requestDeadline >= 0) {
            ex.fail(HttpResponseStatus.GATEWAY_TIMEOUT, "request timeout");
            return;
        }
        if (!pick()) {
            return;
        }
        key = new UpstreamKey(endpoint, key.protocol(), key.tlsIdentity());
        obtainConnection(System.nanoTime());
    }

    /** After retries, a connection failure is 503 (as Envoy answers an upstream reset), else {@code status}. */
    private void failAfterRetries(HttpResponseStatus status, String why) {
        if (retries == 0) {
            ex.fail(status, why);
        } else {
            ex.fail(HttpResponseStatus.SERVICE_UNAVAILABLE, why + " after " + retries
                    + (retries == 1 ? " retry" : " retries"));
        }
    }

    @Override
    public InetSocketAddress avoid() {
        return avoid;
    }

    // ---------------------------------------------------------------- what the balancer may read (PickContext)

    @Override
    public InetAddress sourceAddress() {
        return ex.remote == null ? null : ex.remote.getAddress();
    }

    @Override
    public String header(CharSequence name) {
        String value = ex.request.headers().get(name);
        CharSequence[] lines = forwardedLines;
        if (value == null && lines != null) {
            // a retry's pick sees the upstream head, forwarding lines included, as it did when they were in the map
            for (int i = 0; i < lines.length; i += 2) {
                if (AsciiString.contentEqualsIgnoreCase(lines[i], name)) {
                    return lines[i + 1].toString();
                }
            }
        }
        return value;
    }

    @Override
    public String queryParam(String name) {
        // parsed only by a hash on query parameters, the one algorithm that asks
        List<String> values = new QueryStringDecoder(ex.request.uri()).parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public String cookie(String name) {
        // parsed only by a cookie hash or a cookie session, the algorithms that ask
        for (String header : ex.request.headers().getAll(HttpHeaderNames.COOKIE)) {
            for (Cookie c : ServerCookieDecoder.LAX.decodeAll(header)) {
                if (c.name().equals(name)) {
                    return c.value();
                }
            }
        }
        return null;
    }

    @Override
    public String generatedCookie(HashCookie cookie) {
        return hashCookie != null && hashCookie.name().equals(cookie.name()) ? hashCookieValue : null;
    }

    @Override
    public void generatedCookie(HashCookie cookie, String value) {
        hashCookie = cookie;
        hashCookieValue = value;
    }

    @Override
    public InetSocketAddress preferred() {
        return preferred;
    }

    @Override
    public void preferred(InetSocketAddress endpoint, long sessionStart) {
        this.preferred = endpoint;
        this.sessionStart = sessionStart;
    }

    // ---------------------------------------------------------------- the connection's events

    @Override
    public void onUpstreamRead(Object msg) {
        ex.relay.onUpstreamRead(msg);
    }

    @Override
    public void onUpstreamReadComplete() {
        ex.relay.flushClient();
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (writable || !writingBody) { // under a body write, send() settles it after its flush
            ex.owner.updateAutoRead();
        }
    }

    @Override
    public void onUpstreamInactive(Throwable cause) {
        UpstreamHandler h = handler;
        handler = null;
        if (ex.state != FORWARDING || ex.responseComplete) {
            return;
        }
        if (!ex.responseHeadSent) {
            boolean refused = cause instanceof UpstreamStreamReset reset && reset.refused();
            Failure failure = refused ? Failure.REFUSED_STREAM
                    : requestSent && !headNeverLeft() ? Failure.RESET : Failure.RESET_BEFORE_REQUEST;
            // a retry policy that retries this failure counts it as one of its retries (so "attempts: 3" means
            // at most 4 tries); without one, a lost reused connection gets its one free replay
            boolean policyRetries = retry != null && RetryTriggers.retries(retry, failure);
            if (!policyRetries && h != null && (h.reused() || refused) && !replayed && !bodyForwarded
                    && ex.requestComplete) {
                // the backend closed an idle pooled connection as we reused it, or refused the stream (h2): one
                // retry on a fresh connection, unless the backend may have acted on it (RFC 9110 9.2.2: a POST or
                // PATCH must not run twice)
                if (IdempotentMethods.contains(ex.request.method()) || headNeverLeft()) {
                    replayed = true;
                    requestSent = false;
                    ex.state = CONNECTING;
                    connect();
                } else {
                    ex.fail(HttpResponseStatus.BAD_GATEWAY, (refused ? UpstreamErrors.describe(cause)
                            : "upstream closed a reused connection") + " before the response; "
                            + ex.request.method() + " not replayed, it is not idempotent ("
                            + UpstreamErrors.address(endpoint) + ")");
                }
                return;
            }
            String why = cause == null ? "connection closed before response" : UpstreamErrors.describe(cause);
            if (cause instanceof UpstreamStreamReset) {
                // one stream ended, not the endpoint: no passive health report
                if (!retries(failure)) {
                    failAfterRetries(HttpResponseStatus.BAD_GATEWAY, why + " (" + UpstreamErrors.address(endpoint) + ")");
                }
                return;
            }
            cluster.reportFailure(endpoint, why); // passive health
            if (!retries(failure)) {
                failAfterRetries(HttpResponseStatus.BAD_GATEWAY, "upstream connect error: " + why
                        + " (" + UpstreamErrors.address(endpoint) + ")");
            }
        } else {
            ex.abort("upstream closed mid-response");
        }
    }

    /** True when the write of the head to a reused connection failed: no whole request reached the backend. */
    private boolean headNeverLeft() {
        ChannelPromise p = headWrite;
        return p != null && p.isDone() && !p.isSuccess();
    }

    @Override
    public long deadlineNanos() {
        if (ex.state != FORWARDING) {
            return 0;
        }
        long d = ex.responseHeadSent ? 0 : headDeadline;
        if (requestDeadline != 0 && (d == 0 || requestDeadline - d < 0)) {
            d = requestDeadline;
        }
        return d;
    }

    @Override
    public void onDeadline() {
        boolean whole = requestDeadline != 0 && System.nanoTime() - requestDeadline >= 0;
        if (!whole) {
            // the backend did not answer in time: a gateway error for outlier detection, as Envoy counts it
            ex.filters.backend().cluster().reportResponse(endpoint, HttpResponseStatus.GATEWAY_TIMEOUT.code());
        }
        if (!whole && retry != null && !ex.responseHeadSent && RetryTriggers.retries(retry, Failure.TIMEOUT)
                && mayRetry(true)) {
            dropConnection(); // the late answer would arrive for a request we no longer wait for
            startRetry("upstream timeout");
            return;
        }
        ex.fail(HttpResponseStatus.GATEWAY_TIMEOUT, whole ? "request timeout" : "upstream timeout");
    }

    /**
     * Reads a retried answer to its end, then pools the connection (when it may be reused) or closes it; a
     * connection that does not finish the answer in time is closed.
     */
    private static final class Drain implements UpstreamListener {
        private static final long MAX_DRAIN_NANOS = TimeUnit.SECONDS.toNanos(5);

        private final UpstreamHandler handler;
        private final UpstreamPool pool;
        private final boolean reusable;
        private final long deadline = System.nanoTime() + MAX_DRAIN_NANOS;

        Drain(UpstreamHandler handler, UpstreamPool pool, boolean reusable) {
            this.handler = handler;
            this.pool = pool;
            this.reusable = reusable;
            StreamReads.setAutoRead(handler.channel(), true);
        }

        @Override
        public void onUpstreamRead(Object msg) {
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (last) {
                if (reusable && handler.channel().isActive()) {
                    pool.release(handler);
                } else {
                    onDeadline();
                }
            }
        }

        @Override
        public void onUpstreamReadComplete() {
        }

        @Override
        public void onUpstreamWritabilityChanged(boolean writable) {
        }

        @Override
        public void onUpstreamInactive(Throwable cause) {
        }

        @Override
        public long deadlineNanos() {
            return deadline;
        }

        @Override
        public void onDeadline() {
            handler.unbind();
            handler.channel().close();
        }
    }
}
