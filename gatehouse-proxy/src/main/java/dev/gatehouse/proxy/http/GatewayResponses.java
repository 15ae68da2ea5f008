package dev.gatehouse.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * Responses the gateway writes itself (404, 5xx, 400...): a short text body in a direct buffer, always a
 * Content-Length, and {@code Connection: close} exactly when the connection is closed after it.
 */
final class GatewayResponses {
    static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=utf-8");

    private GatewayResponses() {
    }

    static FullHttpResponse text(ByteBufAllocator alloc, HttpResponseStatus status, String message, boolean close) {
        ByteBuf body = alloc.ioBuffer(message.length() + 1);
        ByteBufUtil.writeUtf8(body, message);
        body.writeByte('\n');
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (close) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /** The gateway's own answer to {@code request}: gRPC-shaped for a gRPC call ({@link GrpcAnswers}), else text. */
    static FullHttpResponse answer(ByteBufAllocator alloc, HttpRequest request, HttpResponseStatus status,
                                   String message, boolean close) {
        return answer(alloc, request, status, GrpcAnswers.statusFor(status.code()), message, close);
    }

    /** @param grpcStatus the gRPC status a gRPC call gets instead of {@code status} */
    static FullHttpResponse answer(ByteBufAllocator alloc, HttpRequest request, HttpResponseStatus status,
                                   int grpcStatus, String message, boolean close) {
        if (!GrpcAnswers.isGrpc(request)) {
            return text(alloc, status, message, close);
        }
        FullHttpResponse response = GrpcAnswers.answer(grpcStatus, message);
        prepare(response, close);
        return response;
    }

    /** Makes a filter's response safe to write: a Content-Length, and the connection decision. */
    static void prepare(FullHttpResponse response, boolean close) {
        HttpHeaders h = response.headers();
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        if (!h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            HttpUtil.setContentLength(response, response.content().readableBytes());
        }
        if (close) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else {
            h.remove(HttpHeaderNames.CONNECTION);
        }
    }
}
