package dev.gatehouse.proxy.http;

import dev.gatehouse.ir.BackendProtocol;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.proxy.upstream.UpstreamHandler;
import dev.gatehouse.proxy.upstream.UpstreamKey;
import dev.gatehouse.proxy.upstream.UpstreamListener;
import dev.gatehouse.proxy.upstream.UpstreamPool;
import dev.gatehouse.proxy.upstream.UpstreamStreamReset;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.balance.PickContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.util.concurrent.Future;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.time.Duration;

import static dev.gatehouse.proxy.http.ProxyExchange.CONNECTING;
import static dev.gatehouse.proxy.http.ProxyExchange.FORWARDING;

/**
 * The upstream side of one exchange: the endpoint pick, a connection from the client loop's own pool (or a new
 * one on that loop), the request written to it, the deadlines the connection's timer checks, and the one replay
 * of a request that a reused connection lost before any response. Response objects go to the
 * {@link ResponseRelay}; the connection goes back to the pool or is closed when the exchange is done with it.
 */
final class UpstreamAttempt implements UpstreamListener, PickContext {
    private final ProxyExchange ex;
    private InetSocketAddress endpoint;
    private UpstreamKey key;
    private UpstreamPool pool;
    private UpstreamHandler handler;
    /** the write of the head to a reused connection, when the request is not idempotent; else null */
    private ChannelPromise headWrite;
    private long backendTimeoutNanos;
    private long headDeadline;
    private long requestDeadline;
    private boolean requestSent;
    private boolean bodyForwarded;
    private boolean reusable;
    private boolean retried;
    private boolean flushPending;

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
    }

    InetSocketAddress endpoint() {
        return endpoint;
    }

    /** Routing and filters accepted the request: pick an endpoint and get a connection to it. */
    void forward() {
        Cluster cluster = ex.filters.backend().cluster();
        endpoint = cluster.pick(this);
        if (ex.log != null) {
            ex.log.backend(ex.filters.backend());
            ex.log.endpoint(endpoint);
        }
        if (endpoint == null) {
            ex.answers.respond(HttpResponseStatus.SERVICE_UNAVAILABLE, "no ready endpoints for " + cluster.name());
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
        MessageHeaders.prepareUpstreamRequest(ex.request, ex.http2, ex.websocket, ex.expectsBody,
                ex.remote.getAddress(), ex.originalHost, ex.scheme);
        if (teTrailers) {
            ex.request.headers().set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
        ForwardedClientCert.apply(ex.request.headers(), ex.client);
        if (ex.log != null) {
            ex.log.upstreamStart(System.nanoTime());
            ex.observer.onUpstreamRequest(ex.log, ex.request.headers());
        }
        Channel client = ex.client;
        pool = ex.owner.context().pools().forLoop(client.eventLoop());
        ex.mirrors = Mirrors.start(ex.exchange.mirrors(), ex.request, ex.pipeline.queued(), pool, backendTimeoutNanos,
                ex.observer, ex.route);
        if (ex.expectContinue && !ex.requestComplete) {
            client.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER), client.voidPromise());
        }
        ex.state = CONNECTING;
        if (!ex.websocket && protocol == BackendProtocol.HTTP_1_1) {
            UpstreamHandler idle = pool.pollIdle(key);
            if (idle != null) {
                bind(idle);
                return;
            }
        }
        connect();
    }

    /** A new HTTP/1.1 connection, or a stream on an HTTP/2 one (on a new connection for a retry). */
    private void connect() {
        Future<?> f = key.protocol() == BackendProtocol.HTTP_2 ? pool.openStream(key, retried) : pool.connect(key);
        if (f.isDone()) {
            onConnect(f);
        } else {
            f.addListener(this::onConnect);
        }
    }

    private void onConnect(Future<?> f) {
        if (ex.aborted || ex.state != CONNECTING) {
            if (f.isSuccess()) {
                channelOf(f).close();
            }
            return;
        }
        if (!f.isSuccess()) {
            ex.filters.backend().cluster().reportFailure(endpoint, UpstreamErrors.describe(f.cause())); // passive health
            ex.fail(HttpResponseStatus.BAD_GATEWAY, "upstream connect error: " + UpstreamErrors.describe(f.cause())
                    + " (" + UpstreamErrors.address(endpoint) + ")");
            return;
        }
        bind(channelOf(f).pipeline().get(UpstreamHandler.class));
    }

    private static Channel channelOf(Future<?> connected) {
        return connected instanceof ChannelFuture f ? f.channel() : (Channel) connected.getNow();
    }

    private void bind(UpstreamHandler h) {
        handler = h;
        ex.state = FORWARDING;
        headDeadline = backendTimeoutNanos > 0 ? System.nanoTime() + backendTimeoutNanos : 0;
        h.bind(this);
        Channel up = h.channel();
        // a non-idempotent request on a reused connection may be replayed only if its head never left: the
        // only case that needs to know, so the only one that pays for a promise
        headWrite = h.reused() && !IdempotentMethods.contains(ex.request.method()) ? up.newPromise() : null;
        up.write(ex.request, headWrite == null ? up.voidPromise() : headWrite);
        HttpContent c;
        while ((c = ex.pipeline.pollQueued()) != null) {
            writeBody(c);
        }
        if (retried && ex.requestComplete && !requestSent) {
            // a retry of a body-less request whose last content went to the dead connection
            up.write(LastHttpContent.EMPTY_LAST_CONTENT, up.voidPromise());
            requestSent = true;
        }
        if (ex.owner.inReadBatch()) {
            flushPending = true;
        } else {
            flushPending = false;
            up.flush();
        }
        ex.owner.updateAutoRead();
    }

    /** Request body content while forwarding: written now, flushed at the end of the client's read batch. */
    void send(HttpContent c) {
        writeBody(c);
        flushPending = true;
    }

    private void writeBody(HttpContent c) {
        if (c.content().isReadable()) {
            bodyForwarded = true;
        }
        if (c instanceof LastHttpContent) {
            requestSent = true;
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

    /** The response ended: the connection goes back to the pool, or is closed when it cannot be reused. */
    void release() {
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
            pool.release(h);
        } else {
            h.unbind();
            up.close();
        }
    }

    /** Hands the connection to a WebSocket splice: this attempt lets go of it without closing it. */
    Channel detachForSplice() {
        UpstreamHandler h = handler;
        handler = null;
        h.unbind();
        return h.channel();
    }

    void close() {
        UpstreamHandler h = handler;
        handler = null;
        if (h != null) {
            h.unbind();
            h.channel().close();
        }
    }

    // ---------------------------------------------------------------- what the balancer may read (PickContext)

    @Override
    public InetAddress sourceAddress() {
        return ex.remote == null ? null : ex.remote.getAddress();
    }

    @Override
    public String header(CharSequence name) {
        return ex.request.headers().get(name);
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
        ex.owner.updateAutoRead();
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
            if (h != null && (h.reused() || refused) && !retried && !bodyForwarded && ex.requestComplete) {
                // the backend closed an idle pooled connection as we reused it, or refused the stream (h2): one
                // retry on a fresh connection, unless the backend may have acted on it (RFC 9110 9.2.2: a POST or
                // PATCH must not run twice)
                if (IdempotentMethods.contains(ex.request.method()) || headNeverLeft()) {
                    retried = true;
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
                ex.fail(HttpResponseStatus.BAD_GATEWAY, why + " (" + UpstreamErrors.address(endpoint) + ")");
                return;
            }
            ex.filters.backend().cluster().reportFailure(endpoint, why); // passive health
            ex.fail(HttpResponseStatus.BAD_GATEWAY, "upstream connect error: " + why
                    + " (" + UpstreamErrors.address(endpoint) + ")");
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
        ex.fail(HttpResponseStatus.GATEWAY_TIMEOUT, whole ? "request timeout" : "upstream timeout");
    }
}
