package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.Observability;
import dev.gatehouse.proxy.observe.RequestIds;
import dev.gatehouse.proxy.observe.RequestLog;
import dev.gatehouse.proxy.http1.StrictHttpServerCodec;
import dev.gatehouse.proxy.proxyprotocol.ClientAddress;
import dev.gatehouse.routing.route.PathNormalizer;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.function.Function;

/**
 * The frontend of one HTTP/1.1 connection (a handler in its pipeline) or of one h2 stream (outside any pipeline:
 * its {@link Http2ClientStream} hands it the request converted from HEADERS and DATA): both speak
 * {@link HttpObject}s to the exchange, and the exchange writes to an {@link ExchangeClient}, so routing and
 * forwarding are shared. It runs one {@link ProxyExchange} at a
 * time; pipelined HTTP/1.1 requests that arrive meanwhile are queued (decoded objects, bounded by bytes) and
 * started in order when the previous response is complete, so answers leave in request order.
 * Reading stays on (AUTO_READ) and is paused only when a queue or the upstream is full.
 */
public final class HttpProxyHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HttpProxyHandler.class);
    private static final int MAX_PIPELINED_BYTES = 256 * 1024;
    static final Rejection TOO_MANY_HEADER_FIELDS =
            new Rejection(io.netty.handler.codec.http.HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "too many request header fields");
    /** the pipeline name of the stand-in of a quiet connection */
    private static final String QUIET_STAND_IN = "quiet";
    private static final InetSocketAddress UNKNOWN_PEER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final ProxyContext context;
    /** null on h2 streams (the connection's own handler watches the connection, each stream its body) */
    private final ConnectionTimeoutHandler timeouts;
    private final boolean http2;
    /** request header field count limit (431 beyond); the byte limits are the decoder's */
    private final int maxHeaderFields;
    /** response-head deadline of this port when the route sets none */
    private final long defaultBackendTimeoutNanos;
    /** what takes the place of the codec, this handler and the timeouts while the connection is quiet; null: they stay */
    private final Function<ConnectionTimeoutHandler, ChannelHandler> quietStandIn;
    private ChannelHandlerContext ctx;
    private ExchangeClient client;
    private ProxyExchange current;
    private ArrayDeque<HttpObject> pipelined;
    private int pipelinedBytes;
    private boolean closing;
    private boolean inReadBatch;
    private boolean draining;
    private boolean firstRequestSeen;
    private InetSocketAddress remote;
    private ForwardedClient forwardedClient;

    /**
     * HTTP/1.1 connection of a port with its own limits that, once quiet between requests ({@link ConnectionTimeoutHandler#QUIET}), swaps its
     * codec and this handler for {@code quietStandIn}'s handler, which may take over the head and idle deadlines of
     * {@code timeouts} and must put them all back when the next bytes arrive.
     */
    public HttpProxyHandler(ProxyContext context, ConnectionTimeoutHandler timeouts, int maxHeaderFields,
                            java.time.Duration backendTimeout,
                            Function<ConnectionTimeoutHandler, ChannelHandler> quietStandIn) {
        this(context, timeouts, false, maxHeaderFields, nanos(backendTimeout), quietStandIn);
    }

    private HttpProxyHandler(ProxyContext context, ConnectionTimeoutHandler timeouts, boolean http2,
                             int maxHeaderFields, long defaultBackendTimeoutNanos,
                             Function<ConnectionTimeoutHandler, ChannelHandler> quietStandIn) {
        this.context = context;
        this.timeouts = timeouts;
        this.http2 = http2;
        this.maxHeaderFields = maxHeaderFields;
        this.defaultBackendTimeoutNanos = defaultBackendTimeoutNanos;
        this.quietStandIn = quietStandIn;
    }

    /**
     * For one h2 stream, outside any pipeline: {@link Http2ClientStream} hands it the request and its body and keeps
     * the stream's body deadlines itself.
     */
    static HttpProxyHandler forHttp2Stream(ProxyContext context, Http2ClientStream stream, int maxHeaderFields,
                                           long defaultBackendTimeoutNanos) {
        HttpProxyHandler h = new HttpProxyHandler(context, null, true, maxHeaderFields, defaultBackendTimeoutNanos,
                null);
        h.client = stream;
        return h;
    }

    static long backendTimeoutNanos(java.time.Duration backendTimeout) {
        return nanos(backendTimeout);
    }

    private static long nanos(java.time.Duration d) {
        return d == null || d.isNegative() ? 0 : d.toNanos();
    }

    long defaultBackendTimeoutNanos() {
        return defaultBackendTimeoutNanos;
    }

    ProxyContext context() {
        return context;
    }

    ExchangeClient client() {
        return client;
    }

    boolean inReadBatch() {
        return inReadBatch;
    }

    InetSocketAddress remoteAddress() {
        InetSocketAddress r = remote;
        if (r == null) {
            remote = r = lookupRemote();
        }
        return r;
    }

    /** The client as the forwarded headers of this connection's requests name it. */
    ForwardedClient forwardedClient() {
        ForwardedClient f = forwardedClient;
        if (f == null) {
            forwardedClient = f = new ForwardedClient(remoteAddress().getAddress());
        }
        return f;
    }

    private InetSocketAddress lookupRemote() {
        SocketAddress a = ClientAddress.of(client.connection()); // a trusted PROXY header's source, else the peer
        // non-IP transports (embedded channels in tests) count as loopback
        return a instanceof InetSocketAddress ip ? ip : UNKNOWN_PEER;
    }

    /** The connection's TLS session, or {@code null} when it is cleartext; read once per request. */
    TlsSession tls() {
        return TlsSession.of(client.connection());
    }

    int localPort() {
        SocketAddress a = client.connection().localAddress();
        return a instanceof InetSocketAddress ip ? ip.getPort() : 0;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.client = new ChannelClient(ctx.channel());
    }

    /** An h2 stream's request head, converted from its HEADERS; {@code endStream}: no body follows. */
    void readHttp2Head(HttpRequest head, boolean endStream) {
        inReadBatch = true;
        startExchange(head, endStream ? new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER) : null);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        read(msg);
    }

    /** One decoded request object from the client. */
    void read(Object msg) {
        inReadBatch = true;
        ProxyExchange ex = current;
        boolean body = ex != null && !ex.requestComplete() && msg instanceof HttpContent
                && !(msg instanceof HttpRequest);
        // closing stops the requests after this one, not the rest of this one's body: a response head that came
        // back before the body's end marks the connection closing, and the backend still waits for that end
        if (!body && (closing || !(msg instanceof HttpObject))) {
            ReferenceCountUtil.release(msg);
            return;
        }
        HttpObject obj = (HttpObject) msg;
        if (timeouts != null) {
            // wire order, not dispatch order: a head that is not also the end starts a body on the wire
            if (obj instanceof LastHttpContent) {
                timeouts.bodyEnded();
            } else if (obj instanceof HttpRequest) {
                timeouts.bodyStarted();
            }
        }
        if (body) {
            ex.onRequestContent((HttpContent) obj);
        } else if (ex != null || pipelined != null && !pipelined.isEmpty()) {
            queuePipelined(obj);
        } else {
            dispatch(obj);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readComplete();
    }

    /** The end of a client read batch: what it wrote upstream leaves in one flush. */
    void readComplete() {
        inReadBatch = false;
        ProxyExchange ex = current;
        if (ex != null) {
            ex.flushUpstream();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        clientWritabilityChanged(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    void clientWritabilityChanged(boolean writable) {
        ProxyExchange ex = current;
        if (ex != null) {
            ex.onClientWritabilityChanged(writable);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        clientClosed();
        ctx.fireChannelInactive();
    }

    /** The client went away (the connection, or the h2 stream). */
    void clientClosed() {
        closing = true;
        ProxyExchange ex = current;
        current = null;
        if (ex != null) {
            ex.onClientClosed();
        }
        releasePipelined();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePipelined();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ConnectionTimeoutHandler.QUIET) {
            putAwayWhileQuiet();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * A keep-alive connection quiet between requests gives back what only a request needs: the codec (decoder
     * and its parse buffer, encoder, method queue) and this handler (forwarded-client cache, addresses). Only
     * when nothing is under way: no exchange, nothing pipelined, no byte of a next head read, no close owed.
     */
    private void putAwayWhileQuiet() {
        if (quietStandIn == null || current != null || closing || draining || pipelined != null && !pipelined.isEmpty()) {
            return;
        }
        ChannelPipeline p = ctx.pipeline();
        StrictHttpServerCodec codec = p.get(StrictHttpServerCodec.class);
        if (codec == null || !codec.betweenRequests() || p.get(HttpServerUpgradeHandler.class) != null) {
            return;
        }
        p.remove(codec);
        p.replace(this, QUIET_STAND_IN, quietStandIn.apply(timeouts));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("client connection error, closing {}", ctx.channel(), cause);
        ctx.close();
    }

    private void dispatch(HttpObject obj) {
        if (obj instanceof FullHttpRequest full) {
            // split so every path (retry, mirrors, streaming) sees a head and separate, owned content
            HttpRequest request = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
            request.setDecoderResult(full.decoderResult());
            startExchange(request, new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
        } else if (obj instanceof HttpRequest request) {
            startExchange(request, null);
        } else {
            // content of a request that was already answered and closed: nothing to do with it
            ReferenceCountUtil.release(obj);
        }
    }

    /** @param last the whole body when it came with the head, else null */
    private void startExchange(HttpRequest request, LastHttpContent last) {
        if (timeouts != null) {
            timeouts.headArrived();
        }
        if (request.headers().size() > maxHeaderFields && request.decoderResult().isSuccess()) {
            if (last != null) {
                last.release();
            }
            if (timeouts != null) {
                timeouts.bodyEnded();
            }
            reject(TOO_MANY_HEADER_FIELDS, request);
            return;
        }
        if (!http2 && !firstRequestSeen) {
            firstRequestSeen = true;
            // h2c upgrade is offered on the first request only; later requests skip the extra handler hop
            ChannelHandler upgrade = ctx.pipeline().get(HttpServerUpgradeHandler.class);
            if (upgrade != null) {
                ctx.pipeline().remove(upgrade);
            }
        }
        Rejection rejection = RequestValidator.validate(request, http2);
        if (rejection == null) {
            // before routing: what is matched is what is forwarded
            String invalidPath = PathNormalizer.normalizeTarget(request, context.encodedSlashes());
            if (invalidPath != null) {
                rejection = new Rejection(io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST, invalidPath);
            }
        }
        if (rejection == null) {
            HopByHopHeaders.sanitizeClientRequest(request.headers());
        }
        if (rejection != null) {
            if (last != null) {
                last.release();
            }
            reject(rejection, request);
            return;
        }
        ProxyExchange ex = new ProxyExchange(this, request, http2, last == null);
        current = ex;
        ex.start();
        if (last != null) {
            if (current == ex) {
                ex.onRequestContent(last);
            } else {
                last.release();
            }
        }
    }

    /**
     * Answers a request head refused before an exchange exists (decoder failure, validation, limits) and closes.
     * Observed like any exchange: one {@link RequestLog} (no route: counted as route "none"), start, head and
     * completion once each; the answer carries a request id like every other response.
     */
    private void reject(Rejection rejection, HttpRequest request) {
        closing = true;
        releasePipelined();
        boolean close = !http2;
        boolean decoded = headDecoded(request.decoderResult());
        // a head the decoder failed on is a placeholder: its content type says nothing
        FullHttpResponse response = decoded
                ? GatewayResponses.answer(client.alloc(), request, rejection.status(), rejection.reason(), close)
                : GatewayResponses.text(client.alloc(), rejection.status(), rejection.reason(), close);
        Observability observability = context.observability();
        CharSequence requestId = null;
        if (observability.requestIds()) {
            requestId = decoded ? ObservabilityHeaders.assignRequestId(request.headers(), observability.trustRequestId())
                    : RequestIds.generate();
            response.headers().set(ObservabilityHeaders.X_REQUEST_ID, requestId);
        }
        ExchangeObserver observer = context.observer();
        RequestLog log = null;
        if (observer != null) {
            log = refusedLog(request, decoded, rejection, requestId);
            observer.onRequestStart(log);
            log.status(rejection.status().code());
            observer.onResponseHead(log);
            log.addResponseBytes(response.content().readableBytes());
        }
        client.writeFlushAndClose(response);
        if (log != null && log.complete(System.nanoTime())) {
            observer.onComplete(log);
        }
    }

    /** Whether the head itself was read whole: all but a body too large to take (an h2c upgrade's) is suspect. */
    private static boolean headDecoded(DecoderResult result) {
        return result.isSuccess() || result.cause() instanceof TooLongHttpContentException;
    }

    /**
     * What can be logged of a refused head. A head the decoder failed on is a placeholder (Netty's
     * "GET /bad-request HTTP/1.0"), so method, target and protocol are {@link RequestLog#UNKNOWN} and no header
     * is read; a decoded head is logged as received.
     */
    private RequestLog refusedLog(HttpRequest request, boolean decoded, Rejection rejection, CharSequence requestId) {
        String protocol = http2 ? "HTTP/2" : decoded ? request.protocolVersion().text() : RequestLog.UNKNOWN;
        RequestLog log = new RequestLog(System.nanoTime(), System.currentTimeMillis(),
                decoded ? request.method().name() : RequestLog.UNKNOWN, decoded ? request.uri() : RequestLog.UNKNOWN,
                protocol, remoteAddress(), localPort());
        if (decoded) {
            log.host(request.headers().get(HttpHeaderNames.HOST));
            log.traceParent(request.headers().get(ObservabilityHeaders.TRACEPARENT));
        }
        log.requestId(requestId);
        log.failure(rejection.reason());
        return log;
    }

    private void queuePipelined(HttpObject obj) {
        if (pipelined == null) {
            pipelined = new ArrayDeque<>();
        }
        pipelined.add(obj);
        if (obj instanceof HttpContent c) {
            pipelinedBytes += c.content().readableBytes();
            if (pipelinedBytes > MAX_PIPELINED_BYTES) {
                updateAutoRead();
            }
        }
    }

    /** Called by the exchange once its request was read and its response written. */
    void exchangeFinished(ProxyExchange ex, boolean close) {
        if (current != ex) {
            return;
        }
        current = null;
        if (close || http2) {
            closing = true;
            releasePipelined();
            return;
        }
        if (context.draining() && (pipelined == null || pipelined.isEmpty())) {
            // its head went out before the drain began and promised keep-alive: close once it is all written
            closing = true;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (timeouts != null) {
            if (quietStandIn != null) {
                timeouts.awaitHeadReportingQuiet();
            } else {
                timeouts.awaitHead();
            }
        }
        drainPipelined();
    }

    /**
     * The server is draining ({@link ProxyContext#startDraining}). A keep-alive connection between requests
     * closes now; one with a request in flight closes after its response. One that has not sent its first
     * request yet stays: closing it could cut a request already on its way, and its header deadline bounds it.
     * Called on the connection's event loop.
     *
     * @return whether a request is in flight
     */
    public boolean drain() {
        if (current != null) {
            return true;
        }
        if (firstRequestSeen && !closing && (pipelined == null || pipelined.isEmpty())) {
            closing = true;
            ctx.close();
        }
        return false;
    }

    /** The exchange switched the connection to a WebSocket splice; this handler is about to be removed. */
    void spliced(ProxyExchange ex) {
        if (current == ex) {
            current = null;
        }
        closing = true;
        if (timeouts != null) {
            timeouts.stopHeadTimeout();
        }
        releasePipelined();
    }

    /** Stop taking requests: the connection closes after the response being written. */
    void markClosing() {
        closing = true;
    }

    private void drainPipelined() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (!closing && pipelined != null && !pipelined.isEmpty()) {
                ProxyExchange ex = current;
                if (ex != null && ex.requestComplete()) {
                    break; // its response first
                }
                HttpObject obj = pipelined.poll();
                if (obj instanceof HttpContent c) {
                    pipelinedBytes -= c.content().readableBytes();
                }
                if (timeouts != null && ex == null && obj instanceof HttpRequest) {
                    timeouts.headArrived();
                }
                if (ex == null) {
                    dispatch(obj);
                } else if (obj instanceof HttpContent c && !(obj instanceof HttpRequest)) {
                    ex.onRequestContent(c);
                } else {
                    ReferenceCountUtil.release(obj);
                }
            }
        } finally {
            draining = false;
        }
        if (closing) {
            releasePipelined();
        }
        ProxyExchange ex = current;
        if (ex != null && !inReadBatch) {
            ex.flushUpstream();
        }
        updateAutoRead();
    }

    /** Reads stay on unless a queue is over its bound or the upstream is saturated. */
    void updateAutoRead() {
        ExchangeClient c = client;
        if (c == null) {
            return;
        }
        ProxyExchange ex = current;
        boolean read = pipelinedBytes <= MAX_PIPELINED_BYTES && (ex == null || !ex.pausesClient());
        if (c.isAutoRead() != read) {
            c.setAutoRead(read);
        }
    }

    private void releasePipelined() {
        if (pipelined != null) {
            HttpObject obj;
            while ((obj = pipelined.poll()) != null) {
                ReferenceCountUtil.release(obj);
            }
        }
        pipelinedBytes = 0;
    }
}
