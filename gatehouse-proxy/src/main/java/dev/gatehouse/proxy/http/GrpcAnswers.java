package dev.gatehouse.proxy.http;

import dev.gatehouse.routing.route.GrpcCalls;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;

/**
 * The gateway's own answers to gRPC calls, which a gRPC client reads only as a status: HTTP 200, content type
 * application/grpc, no body, {@code grpc-status} and {@code grpc-message} (a "Trailers-Only" response: on h2 one
 * HEADERS frame that ends the stream). The HTTP status the gateway would have answered maps to a gRPC code by
 * {@link GrpcCalls#statusFor} (gRPC's and Envoy's table); a call routed to an invalid backendRef (a 500 for plain
 * HTTP) is UNAVAILABLE, as the GRPCRoute spec asks. A SecurityPolicy's or rate limit's answer maps through
 * {@link GrpcCalls#filterStatusFor} (429 RESOURCE_EXHAUSTED, 500 INTERNAL).
 */
final class GrpcAnswers {
    static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    private static final AsciiString APPLICATION_GRPC = AsciiString.cached("application/grpc");
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    static final int UNAVAILABLE = GrpcCalls.UNAVAILABLE;

    private GrpcAnswers() {
    }

    static boolean isGrpc(HttpRequest request) {
        return GrpcCalls.isGrpc(request);
    }

    static int statusFor(int httpStatus) {
        return GrpcCalls.statusFor(httpStatus);
    }

    /** @param httpStatus what the gateway would have answered a plain HTTP request */
    static FullHttpResponse answer(HttpResponseStatus httpStatus, String message) {
        return answer(statusFor(httpStatus.code()), message);
    }

    static FullHttpResponse answer(int grpcStatus, String message) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.EMPTY_BUFFER);
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_GRPC);
        h.setInt(GRPC_STATUS, grpcStatus);
        h.set(GRPC_MESSAGE, percentEncode(message));
        h.set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO); // frames the empty body on HTTP/1.1
        return response;
    }

    static int filterStatusFor(int httpStatus) {
        return GrpcCalls.filterStatusFor(httpStatus);
    }

    /**
     * A filter's answer (a 401 with its challenge, a 429, a redirect) to a gRPC call: its headers stay, its status
     * becomes a gRPC status, its body goes; a short text body ("Client authentication failed.",
     * "local_rate_limited") becomes {@code grpc-message}, as Envoy's local replies do, else the HTTP status line.
     * {@code filterResponse} is released.
     */
    static FullHttpResponse fromFilter(FullHttpResponse filterResponse) {
        HttpResponseStatus status = filterResponse.status();
        FullHttpResponse response = answer(filterStatusFor(status.code()), message(filterResponse));
        HttpHeaders kept = filterResponse.headers();
        kept.remove(HttpHeaderNames.CONTENT_TYPE);
        kept.remove(HttpHeaderNames.CONTENT_LENGTH);
        kept.remove(HttpHeaderNames.TRANSFER_ENCODING);
        response.headers().add(kept);
        filterResponse.release();
        return response;
    }

    /** The body when it is a short text (trailing whitespace trimmed), else the status line. */
    private static String message(FullHttpResponse r) {
        int length = r.content().readableBytes();
        String type = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (length == 0 || length > 256 || type != null && !type.startsWith("text/plain")) {
            return r.status().toString();
        }
        String body = r.content().toString(StandardCharsets.UTF_8).strip();
        return body.isEmpty() ? r.status().toString() : body;
    }

    /** gRPC's Percent-Encoded: UTF-8, with '%' and every byte outside printable ASCII as %XX. */
    static String percentEncode(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = null;
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = b >= 0x20 && b <= 0x7e && b != '%';
            if (plain && out == null) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(bytes.length + 16);
                out.append(message, 0, i); // all ASCII so far: byte index is char index
            }
            if (plain) {
                out.append((char) b);
            } else {
                out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xf]);
            }
        }
        return out == null ? message : out.toString();
    }
}
