package dev.gatehouse.proxy.http;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

import static dev.gatehouse.proxy.http.ProxyExchange.LOCAL;

/**
 * The answers the gateway gives itself (404, 417, 5xx with a reason, a filter's response) and whether an
 * HTTP/1.1 connection stays open after one; a gRPC call gets them gRPC-shaped ({@link GrpcAnswers}). Answering
 * ends the exchange's upstream side: the connection is closed, held body content released, unfinished mirrors
 * aborted. After the response head has left, an error can no longer be answered and breaks the connection (h1)
 * or stream (h2) instead.
 */
final class LocalAnswers {
    static final AsciiString X_GATEHOUSE_OVERFLOW = AsciiString.cached("x-gatehouse-overflow");

    private final ProxyExchange ex;

    LocalAnswers(ProxyExchange ex) {
        this.ex = ex;
    }

    void respond(HttpResponseStatus status, String message) {
        respond(status, GrpcAnswers.statusFor(status.code()), message);
    }

    /** @param grpcStatus what a gRPC call gets instead of {@code status} */
    void respond(HttpResponseStatus status, int grpcStatus, String message) {
        respond(status, grpcStatus, message, null);
    }

    /**
     * A circuit breaker limit refused the request: 503 with {@code x-gatehouse-overflow: limit}, so a client and an
     * operator can tell an overloaded cluster from a failing backend; the reason goes to the body and the access log.
     */
    void overflow(String limit, String message) {
        respond(HttpResponseStatus.SERVICE_UNAVAILABLE, GrpcAnswers.statusFor(503), message, limit);
    }

    private void respond(HttpResponseStatus status, int grpcStatus, String message, String overflow) {
        if (ex.log != null) {
            ex.log.failure(message);
        }
        if (ex.responseHeadSent) {
            ex.abort(message);
            return;
        }
        boolean close = closeAfterLocalAnswer();
        FullHttpResponse response = GatewayResponses.answer(ex.client.alloc(), ex.request, status, grpcStatus, message,
                close);
        if (overflow != null) {
            response.headers().set(X_GATEHOUSE_OVERFLOW, overflow);
        }
        write(response, close);
    }

    void respondFromFilter(FullHttpResponse response) {
        boolean close = closeAfterLocalAnswer();
        if (GrpcAnswers.isGrpc(ex.request) && response.status().code() != 200) {
            response = GrpcAnswers.fromFilter(response);
        }
        GatewayResponses.prepare(response, close);
        write(response, close);
    }

    /** An HTTP/1.1 connection stays open after this response if the client wants it and the server is not draining. */
    boolean keepClient() {
        return ex.clientKeepAlive && !ex.owner.context().draining();
    }

    /**
     * Whether an HTTP/1.1 connection closes after an answer of the gateway's own: also when the rest of the
     * request body would otherwise be read as the next request.
     */
    private boolean closeAfterLocalAnswer() {
        return !ex.http2 && (ex.closeClient || !keepClient() || ex.expectsBody && !ex.requestComplete);
    }

    private void write(FullHttpResponse response, boolean close) {
        ex.upstream.close();
        ex.pipeline.dropQueued();
        if (!ex.requestComplete) {
            ex.abortMirrors(); // the rest of the body is dropped, so no copy could be completed
        }
        ex.state = LOCAL;
        ex.closeClient = close;
        ex.responseHeadSent = true;
        ex.responseComplete = true;
        if (!ex.http2) {
            response.setProtocolVersion(ex.clientVersion == HttpVersion.HTTP_1_0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1);
        }
        ex.decorateResponse(response);
        if (ex.log != null) {
            ex.log.addResponseBytes(response.content().readableBytes());
        }
        if (close) {
            ex.owner.markClosing();
            ex.client.writeFlushAndClose(response);
        } else {
            ex.client.writeAndFlush(response);
        }
        ex.observeEnd();
        ex.maybeFinish();
    }
}
