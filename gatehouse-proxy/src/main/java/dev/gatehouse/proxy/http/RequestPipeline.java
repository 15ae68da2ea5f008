package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.observe.Observability;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import dev.gatehouse.routing.route.PathNormalizer;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.tls.PortCertificates;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;

import static dev.gatehouse.proxy.http.ProxyExchange.CONNECTING;
import static dev.gatehouse.proxy.http.ProxyExchange.FORWARDING;
import static dev.gatehouse.proxy.http.ProxyExchange.LOCAL;
import static dev.gatehouse.proxy.http.ProxyExchange.ROUTING;
import static dev.gatehouse.proxy.http.ProxyExchange.SUSPENDED;

/**
 * The request side of one exchange until an upstream takes it: target and Host checks, routing on one snapshot,
 * request filters (a suspended filter resumes on the client's loop), then the hand-over to the
 * {@link UpstreamAttempt}. Body content that arrives meanwhile is held here, bounded: past
 * {@link #MAX_QUEUED_BYTES} the client is paused.
 */
final class RequestPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(RequestPipeline.class);
    /** Request body bytes held while routing, suspended or connecting before the client is paused. */
    static final int MAX_QUEUED_BYTES = 256 * 1024;

    private final ProxyExchange ex;
    private ArrayDeque<HttpContent> queued;
    private int queuedBytes;

    RequestPipeline(ProxyExchange ex) {
        this.ex = ex;
    }

    void start() {
        try {
            route();
        } catch (RuntimeException e) {
            LOG.warn("routing failed for {} {}", ex.request.method(), ex.request.uri(), e);
            ex.answers.respond(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: routing failed");
        }
    }

    private void route() {
        if (ex.observer != null) {
            ex.startLog();
        }
        HttpRequest request = ex.request;
        HttpProxyHandler owner = ex.owner;
        HttpHeaders headers = request.headers();
        ex.originalHost = headers.get(HttpHeaderNames.HOST);
        Observability observability = owner.context().observability();
        if (observability.requestIds()) {
            // first, so the answers refused below (417, invalid Host) carry it too
            ex.requestId = ObservabilityHeaders.assignRequestId(headers, observability.trustRequestId());
        }
        if (request.protocolVersion() == HttpVersion.HTTP_1_1 && headers.contains(HttpHeaderNames.EXPECT)
                && !HttpUtil.is100ContinueExpected(request)) {
            ex.answers.respond(HttpResponseStatus.EXPECTATION_FAILED, "unsupported expectation");
            return;
        }
        RequestTarget target = RequestTarget.parse(request.uri(), ex.originalHost);
        if (target == null) {
            ex.closeClient = true;
            ex.answers.respond(HttpResponseStatus.BAD_REQUEST, RequestValidator.INVALID_HOST.reason());
            return;
        }
        if (target.authority() != null) {
            // absolute-form: the target's authority wins over Host (RFC 9112 3.2.2)
            request.setUri(target.originForm());
            headers.set(HttpHeaderNames.HOST, target.authority());
            ex.originalHost = target.authority();
        }
        ex.websocket = !ex.http2 && MessageHeaders.isWebSocketUpgrade(request);
        ex.remote = owner.remoteAddress();
        int localPort = owner.localPort();
        // the gateway's own header: removed whether or not --debug-header answers it, so it never reaches a backend
        boolean debugAsked = ObservabilityHeaders.takeDebugRequest(headers);
        ex.debugTrace = debugAsked && observability.debugHeader();
        // the path is already normal (PathNormalizer); routing reads ';' parameters and %2F as backends may
        TlsSession tls = owner.tls();
        ex.scheme = tls == null ? "http" : "https";
        HttpExchange exchange = new HttpExchange(request, ex.scheme, localPort, ex.remote, target.host(),
                PathNormalizer.routingView(target.path()), target.query());
        ex.exchange = exchange;
        exchange.upstreamCalls(ex.upstream);
        RuntimeSnapshot snapshot = owner.context().snapshots().current();
        ex.router = snapshot.httpRouter(localPort);
        if (tls != null && ex.router != null && ex.router.isMisdirected(tls.serverName(), target.host())) {
            // the connection was set up (certificate, SNI) for another listener: the client must open a new one
            ex.observeStart();
            ex.answers.respond(HttpResponseStatus.MISDIRECTED_REQUEST, "host " + target.host()
                    + " is not served by the listener chosen by TLS server name " + tls.serverName());
            return;
        }
        PortCertificates certificates = tls == null ? null : snapshot.certificates(localPort);
        if (certificates != null && !certificates.sameClientDemand(tls.clientCheck(), target.host())) {
            ex.observeStart(); // e.g. a handshake without SNI where no client certificate was asked for
            ex.answers.respond(HttpResponseStatus.MISDIRECTED_REQUEST, "host " + target.host()
                    + " asks for other client certificates than this connection's TLS handshake did");
            return;
        }
        ex.route = ex.router == null ? null : ex.router.route(exchange);
        ex.observeStart();
        if (ex.route == null) {
            if (ex.log != null && ex.router != null) {
                ex.log.unmatchedOn(ex.router.listener(exchange)); // a 404 still counts under the listener its host chose
            }
            ex.answers.respond(HttpResponseStatus.NOT_FOUND,
                    "no route for host " + target.host() + " path " + target.path());
            return;
        }
        exchange.route(ex.route);
        ex.filters = new FilterChain(ex.route, ex.upstream);
        ex.upstream.applyTimeouts(ex.route.timeouts());
        runFilters(null);
    }

    private void runFilters(FilterResult resumed) {
        try {
            FilterResult result = resumed;
            while (true) {
                if (result == null) {
                    HttpFilter filter = ex.filters.next();
                    if (filter == null) {
                        if (ex.filters.backendError() != null) {
                            // GRPCRoute's spec: a call routed to an invalid backendRef is UNAVAILABLE
                            ex.answers.respond(HttpResponseStatus.INTERNAL_SERVER_ERROR, GrpcAnswers.UNAVAILABLE,
                                    ex.filters.backendError());
                        } else if (ex.state == ROUTING) {
                            ex.upstream.forward();
                        }
                        return;
                    }
                    try {
                        result = filter.onRequest(ex.exchange);
                    } catch (RuntimeException e) {
                        ex.filterFailed("request", e);
                        ex.answers.respond(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: filter failed");
                        return;
                    }
                }
                if (result instanceof FilterResult.Continue) {
                    result = null;
                } else if (result instanceof FilterResult.Respond respond) {
                    ex.answers.respondFromFilter(respond.response());
                    return;
                } else if (result instanceof FilterResult.Suspend suspend) {
                    ex.state = SUSPENDED;
                    suspend.resume().whenComplete((r, e) -> ex.client.eventLoop().execute(() -> resume(r, e)));
                    return;
                } else {
                    throw new IllegalStateException("unknown filter result " + result);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("filter or forwarding failed for {} {}", ex.request.method(), ex.request.uri(), e);
            if (!ex.responseHeadSent && ex.state != LOCAL) {
                ex.answers.respond(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: filter failed");
            }
        }
    }

    private void resume(FilterResult result, Throwable error) {
        if (ex.aborted || ex.state != SUSPENDED) {
            if (result instanceof FilterResult.Respond respond) {
                ReferenceCountUtil.release(respond.response());
            }
            return;
        }
        ex.state = ROUTING;
        if (error != null) {
            ex.filterFailed("request", error);
            ex.answers.respond(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: filter failed");
        } else {
            runFilters(result == null ? FilterResult.CONTINUE : result);
        }
        ex.owner.updateAutoRead();
    }

    void onRequestContent(HttpContent c) {
        if (c.decoderResult().isFailure()) {
            c.release();
            ex.requestComplete = true;
            ex.closeClient = true;
            ex.abortMirrors();
            ex.fail(HttpResponseStatus.BAD_REQUEST, "malformed request body");
            return;
        }
        if (c instanceof LastHttpContent) {
            ex.requestComplete = true;
        }
        if (ex.log != null) {
            ex.log.addRequestBytes(c.content().readableBytes());
        }
        switch (ex.state) {
            case FORWARDING -> {
                ex.offerToMirrors(c);
                ex.upstream.send(c);
            }
            case ROUTING, SUSPENDED, CONNECTING -> {
                if (ex.state == CONNECTING) {
                    ex.offerToMirrors(c);
                }
                if (queued == null) {
                    queued = new ArrayDeque<>();
                }
                queued.add(c);
                queuedBytes += c.content().readableBytes();
                if (queuedBytes > MAX_QUEUED_BYTES) {
                    ex.owner.updateAutoRead();
                }
            }
            default -> c.release();
        }
        ex.maybeFinish();
    }

    boolean overQueueLimit() {
        return queuedBytes > MAX_QUEUED_BYTES;
    }

    /** The body held so far (mirrors copy it before the upstream takes it); may be null. */
    ArrayDeque<HttpContent> queued() {
        return queued;
    }

    /** @return the next held body content for the upstream, or null when none is left */
    HttpContent pollQueued() {
        if (queued == null) {
            return null;
        }
        HttpContent c = queued.poll();
        if (c == null) {
            queuedBytes = 0;
        }
        return c;
    }

    void dropQueued() {
        if (queued != null) {
            HttpContent c;
            while ((c = queued.poll()) != null) {
                c.release();
            }
        }
        queuedBytes = 0;
    }
}
