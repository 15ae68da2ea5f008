package dev.gatehouse.proxy.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import static dev.gatehouse.proxy.http.ProxyExchange.LOCAL;

/**
 * The answers the gateway gives itself (404, 417, 5xx with a reason, a filter's response) and whether an
 * HTTP/1.1 connection stays open after one. Answering ends the exchange's upstream side: the connection is
 * closed, held body content released, unfinished mirrors aborted. After the response head has left, an error
 * can no longer be answered and breaks the connection (h1) or stream (h2) instead.
 */
final class LocalAnswers {
    private final ProxyExchange ex;

    LocalAnswers(ProxyExchange ex) {
        this.ex = ex;
    }

    void respond(HttpResponseStatus status, String message) {
        if (ex.log != null) {
            ex.log.failure(message);
        }
        if (ex.responseHeadSent) {
            ex.abort(message);
            return;
        }
        boolean close = closeAfterLocalAnswer();
        write(GatewayResponses.text(ex.client.alloc(), status, message, close), close);
    }

    void respondFromFilter(FullHttpResponse response) {
        boolean close = closeAfterLocalAnswer();
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
            ex.client.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ex.client.writeAndFlush(response, ex.client.voidPromise());
        }
        ex.observeEnd();
        ex.maybeFinish();
    }
}
