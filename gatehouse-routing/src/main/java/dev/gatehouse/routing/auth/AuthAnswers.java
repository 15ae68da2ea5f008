package dev.gatehouse.routing.auth;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** The answers a SecurityPolicy gives instead of forwarding: a fresh response each time (the proxy releases it). */
final class AuthAnswers {
    /** EG's body for a missing or wrong credential. */
    static final String UNAUTHENTICATED = "Client authentication failed.\n";

    private AuthAnswers() {
    }

    static FullHttpResponse answer(HttpResponseStatus status, String body, List<String> wwwAuthenticate) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        for (String challenge : wwwAuthenticate) {
            r.headers().add(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
        }
        return r;
    }
}
