package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.http1.EncodedResponse;
import dev.gatehouse.proxy.http1.RawResponse;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import static dev.gatehouse.proxy.http.ProxyExchange.FORWARDING;
import static dev.gatehouse.proxy.http.ProxyExchange.LOCAL;
import static dev.gatehouse.proxy.http.ProxyExchange.SPLICED;

/**
 * The response side of one exchange: interim answers dropped, response filters on the head, hop-by-hop headers
 * stripped, head, body and end (with trailers) written to the client and flushed once per upstream read batch.
 * Back-pressure is the client's writability: {@link ProxyExchange#onClientWritabilityChanged} stops reading
 * the upstream while the client cannot take more, once what was read has been offered to its socket. A 101 to a WebSocket upgrade hands both connections to a
 * {@link WebSocketSplice}.
 */
final class ResponseRelay {
    private final ProxyExchange ex;
    private boolean skipInterim;
    private boolean pendingSplice;
    private boolean clientFlushPending;
    private boolean writingBody;
    /**
     * The response head, held until the upstream's next message: when that is the end of the response in the same
     * read batch (a small answer), head and end leave as ONE {@link FullHttpResponse}: one encoder pass and one
     * outbound traversal; for HTTP/1.1 a body of up to 128 bytes copied into the head's buffer, one buffer written
     * instead of two (docs/performance.md, session 11); for h2 a HEADERS and a DATA frame from one write of the
     * stream channel (session 12). Anything else, and the end of the read batch, writes it first.
     */
    private HttpResponse pendingHead;

    ResponseRelay(ProxyExchange ex) {
        this.ex = ex;
    }

    void onUpstreamRead(Object msg) {
        if (ex.state != FORWARDING) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof RawResponse raw) {
            onRawResponse(raw);
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
            if (ex.upstream.retriesAnswer(response)) {
                return; // drained and retried, never relayed
            }
            // a head that is the whole response (an h2 HEADERS with END_STREAM, gRPC's Trailers-Only) leaves as
            // one message below: written in two, an h2 client would get HEADERS and then an empty DATA frame
            onResponseHead(response, !(msg instanceof LastHttpContent));
            if (!(msg instanceof HttpContent)) {
                return;
            }
        }
        if (msg instanceof HttpContent c) {
            if (pendingHead != null && !(c instanceof LastHttpContent && ex.state == FORWARDING
                    && c.decoderResult().isSuccess())) {
                writePendingHead();
            }
            if (skipInterim) {
                if (c instanceof LastHttpContent) {
                    skipInterim = false;
                }
                c.release();
                return;
            }
            if (!ex.responseHeadSent || ex.state != FORWARDING) {
                c.release();
                return;
            }
            if (c.decoderResult().isFailure()) {
                c.release();
                ex.abort("invalid upstream response body");
                return;
            }
            if (ex.log != null) {
                ex.log.addResponseBytes(c.content().readableBytes());
            }
            if (c instanceof LastHttpContent) {
                onResponseComplete((LastHttpContent) c);
            } else {
                writeBody(c);
            }
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    /**
     * A body piece that takes the client over its high-water mark (one 64 KiB read does) is flushed at once, and
     * the upstream pauses only if the client's socket did not take it, as nginx writes what it read before it
     * reads again. Pausing on the mark itself stopped and restarted the upstream's reads around every read (two
     * {@code epoll_ctl} and a trip through the event loop per 64 KiB of a download).
     */
    private void writeBody(HttpContent c) {
        ExchangeClient client = ex.client;
        if (ex.http2 || !ex.upstream.onOwnSocket()) {
            // a stream's writability is its flow-control window, which a flush does not open: paused on the mark.
            // Not with an h2 upstream either: Http2UpstreamTest's 256 KiB echo to a client that reads only once it
            // has sent everything then stalled in 3 runs of 4 (its cause, HttpProxyHandler dropping the rest of a body
            // once the head was out, is fixed; whether this path can now take h2 upstreams too is untested)
            client.write(c);
            clientFlushPending = true;
            return;
        }
        writingBody = true;
        try {
            client.write(c);
        } finally {
            writingBody = false;
        }
        if (client.isWritable()) {
            clientFlushPending = true;
            return;
        }
        clientFlushPending = false;
        client.flush();
        if (!client.isWritable()) {
            ex.onClientWritabilityChanged(false);
        }
    }

    /** Whether the client's writability is changing under a body write, which settles it itself. */
    boolean writingBody() {
        return writingBody;
    }

    /** @param write false when the head comes with its end, which writes both as one message */
    private void onResponseHead(HttpResponse response, boolean write) {
        if (response.decoderResult().isFailure()) {
            ex.fail(HttpResponseStatus.BAD_GATEWAY, "upstream sent an invalid response ("
                    + UpstreamErrors.address(ex.upstream.endpoint()) + ")");
            return;
        }
        int code = response.status().code();
        // outlier detection (healthCheck.passive): one call per answer; a no-op for clusters without the policy
        ex.filters.backend().cluster().reportResponse(ex.upstream.endpoint(), code);
        boolean upgraded = ex.websocket && code == 101;
        ex.upstream.reusable(!ex.websocket && HttpUtil.isKeepAlive(response));
        if (!runResponseFilters(response)) {
            // fail closed: the head has not left, and a filter that may have been meant to strip or rewrite it
            // did not finish (the upstream connection is closed, its body released as it arrives)
            ex.answers.respond(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: response filter failed");
            return;
        }
        HttpHeaders h = response.headers();
        HopByHopHeaders.strip(h, upgraded);
        String hashCookie = ex.upstream.generatedSetCookie();
        if (hashCookie != null) {
            h.add(HttpHeaderNames.SET_COOKIE, hashCookie); // the client hashes to the same endpoint from now on
        }
        String[] session = ex.upstream.sessionHeader();
        if (session != null) {
            h.add(session[0], session[1]);
        }
        if (upgraded) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            pendingSplice = true;
        } else if (!ex.http2) {
            boolean requestStillComing = ex.expectsBody && !ex.requestComplete;
            ex.closeClient = MessageHeaders.prepareHttp1Response(response, ex.clientVersion, ex.headRequest,
                    ex.closeClient || requestStillComing || !ex.answers.keepClient());
        }
        ex.decorateResponse(response);
        ex.responseHeadSent = true;
        if (write) {
            if (upgraded) {
                ex.client.write(response);
            } else {
                pendingHead = response;
            }
            clientFlushPending = true;
        }
        if (ex.closeClient) {
            ex.owner.markClosing();
        }
    }

    /**
     * A whole response the upstream codec kept in wire form, because {@link UpstreamAttempt} asked for it: no
     * response filter, cookie, session header or debug trace to add, an HTTP/1.1 client. The same steps as a
     * decoded head and end take below, on the bytes: hop-by-hop lines dropped, the request id and, when the
     * client connection closes after it, {@code Connection: close} added; one buffer written.
     */
    private void onRawResponse(RawResponse raw) {
        if (ex.responseHeadSent || pendingHead != null || skipInterim || ex.debugTrace) {
            // not the state the request was written in: the decoded path takes it (never seen; a safety net)
            RawResponse.HttpObjectPair decoded = raw.toHttpObjects();
            onUpstreamRead(decoded.head());
            onUpstreamRead(decoded.last());
            return;
        }
        int code = raw.status();
        ex.filters.backend().cluster().reportResponse(ex.upstream.endpoint(), code);
        ex.upstream.reusable(raw.keepAlive());
        boolean requestStillComing = ex.expectsBody && !ex.requestComplete;
        ex.closeClient = ex.closeClient || requestStillComing || !ex.answers.keepClient();
        ex.observeResponseHead(code);
        ex.responseHeadSent = true;
        if (ex.closeClient) {
            ex.owner.markClosing();
        }
        if (ex.log != null) {
            ex.log.addResponseBytes(raw.bodyLength());
        }
        ByteBuf bytes;
        try {
            bytes = raw.encode(ex.client.alloc(), ex.requestId, ex.closeClient);
        } finally {
            raw.release();
        }
        ex.responseComplete = true;
        if (ex.log != null) {
            ex.log.upstreamEnd(System.nanoTime());
        }
        writeEnd(new EncodedResponse(bytes));
    }

    /** @return false when a filter threw (logged and counted) */
    private boolean runResponseFilters(HttpResponse response) {
        try {
            ex.filters.onResponse(ex.exchange, response);
            return true;
        } catch (RuntimeException e) {
            ex.filterFailed("response", e);
            return false;
        }
    }

    private void onResponseComplete(LastHttpContent last) {
        ex.responseComplete = true;
        if (ex.log != null) {
            ex.log.upstreamEnd(System.nanoTime());
        }
        ExchangeClient client = ex.client;
        HttpContent end = last;
        HttpResponse head = pendingHead;
        if (head != null) {
            pendingHead = null;
            end = new DefaultFullHttpResponse(head.protocolVersion(), head.status(), last.content(), head.headers(),
                    last.trailingHeaders());
        }
        if (pendingSplice) {
            last.release();
            ex.state = SPLICED;
            Channel up = ex.upstream.detachForSplice();
            client.flush();
            clientFlushPending = false;
            ex.owner.spliced(ex);
            WebSocketSplice.join(client.connection(), up);
            ex.observeEnd();
            return;
        }
        writeEnd(end);
    }

    /** Writes the response's last message, hands the upstream connection back and ends the exchange. */
    private void writeEnd(Object end) {
        ExchangeClient client = ex.client;
        if (ex.closeClient) {
            client.writeFlushAndClose(end);
            clientFlushPending = false;
        } else {
            // the upstream is released below, so its channelReadComplete will no longer reach this
            // exchange: flush now (head, body and last still leave in one write when they came in one read)
            client.writeAndFlush(end);
            clientFlushPending = false;
        }
        // one clock read for the pooled connection's idle start and the exchange's end
        long now = System.nanoTime();
        ex.upstream.release(now);
        if (!ex.requestComplete) {
            ex.state = LOCAL; // answered before the request ended: the rest of its body is dropped
            ex.abortMirrors();
        }
        ex.observeEnd(now);
        ex.maybeFinish();
    }

    /** Writes the held response head, if any (before anything else goes to the client, or the connection closes). */
    void writePendingHead() {
        HttpResponse head = pendingHead;
        if (head != null) {
            pendingHead = null;
            ex.client.write(head);
        }
    }

    /** End of an upstream read batch: what it wrote to the client leaves in one flush. */
    void flushClient() {
        writePendingHead();
        if (clientFlushPending) {
            clientFlushPending = false;
            ex.client.flush();
        }
    }
}
