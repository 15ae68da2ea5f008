package dev.gatehouse.routing.auth.oidc;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/** The answers the OIDC filter gives instead of forwarding: fresh each time (the proxy releases them), never cached. */
final class OidcAnswers {
    private OidcAnswers() {
    }

    static FullHttpResponse redirect(HttpResponseStatus status, String location) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
        r.headers().set(HttpHeaderNames.LOCATION, location).set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return r;
    }

    static FullHttpResponse text(HttpResponseStatus status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store").setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return r;
    }

    /**
     * Back to the URL first asked for. A 302 does, except with SameSite=Strict cookies: the browser arrives from the
     * provider, and a redirect continuing that cross-site navigation would not carry them (a login loop), so a page
     * of ours sends it on instead, a same-site navigation that carries them.
     */
    static FullHttpResponse landing(String original, boolean strict) {
        if (!strict) {
            return redirect(HttpResponseStatus.FOUND, original);
        }
        String url = original.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
        FullHttpResponse r = text(HttpResponseStatus.OK, "<!doctype html><meta http-equiv=\"refresh\" content=\"0;url="
                + url + "\"><a href=\"" + url + "\">Continue</a>\n");
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        return r;
    }
}
