package dev.gatehouse.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;


/**
 * Rewrites a message head in place for the next hop: the request going upstream (HTTP/1.1 always) and
 * the response going back to an HTTP/1.x client. Framing is decided here, after hop-by-hop removal: a
 * body without Content-Length is sent chunked (or, to an HTTP/1.0 client, delimited by closing).
 */
final class MessageHeaders {
    private MessageHeaders() {
    }

    static boolean isWebSocketUpgrade(HttpRequest r) {
        HttpHeaders h = r.headers();
        return r.method() == HttpMethod.GET
                && h.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    static void prepareUpstreamRequest(HttpRequest request, boolean fromHttp2, boolean websocket, boolean hasBody,
                                       ForwardedClient client, String originalHost, String scheme) {
        prepareUpstreamRequest(request, fromHttp2, websocket, hasBody, client, originalHost, scheme, false);
    }

    /**
     * @param linesApart whether the forwarding lines may be left out of the map for the encoder to write after it
     * @return those lines ({@link ForwardedHeaders#lines}) when they were left out, else null: they are in the map
     */
    static CharSequence[] prepareUpstreamRequest(HttpRequest request, boolean fromHttp2, boolean websocket,
                                                 boolean hasBody, ForwardedClient client, String originalHost,
                                                 String scheme, boolean linesApart) {
        HttpHeaders h = request.headers();
        HopByHopHeaders.strip(h, websocket);
        if (fromHttp2) {
            HopByHopHeaders.stripHttp2Extensions(h);
        }
        h.remove(HttpHeaderNames.EXPECT); // answered by the gateway itself
        if (websocket) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            // exactly websocket: "Upgrade: websocket, h2c" must not let the backend pick h2c (h2c smuggling)
            h.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
        }
        if (hasBody && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        CharSequence[] lines = linesApart ? ForwardedHeaders.lines(h, client, originalHost, scheme) : null;
        if (lines == null) {
            ForwardedHeaders.apply(h, client, originalHost, scheme);
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        return lines;
    }

    /**
     * @param closeClient whether the client connection closes after this response for other reasons
     * @return whether the client connection must close after this response
     */
    static boolean prepareHttp1Response(HttpResponse response, HttpVersion clientVersion, boolean headRequest,
                                        boolean closeClient) {
        HttpHeaders h = response.headers();
        int code = response.status().code();
        boolean bodyless = headRequest || code < 200 || code == 204 || code == 304;
        boolean close = closeClient;
        if (!bodyless && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (clientVersion == HttpVersion.HTTP_1_1) {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else {
                close = true; // HTTP/1.0: the end of the body is the end of the connection
            }
        }
        if (close) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (clientVersion == HttpVersion.HTTP_1_0) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        response.setProtocolVersion(clientVersion);
        return close;
    }
}
