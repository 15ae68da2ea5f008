package dev.gatehouse.proxy.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

import java.util.Iterator;

/**
 * Refuses request heads that could be read differently by us and by the backend (request smuggling) or
 * that we cannot route. Runs once per request head, before anything is forwarded; one pass over the few
 * headers it needs, no regex. The decoder (strict line parsing, header validation, RFC 9112
 * Transfer-Encoding rules) has already rejected most malformed input; this adds the checks it leaves to us.
 */
final class RequestValidator {
    static final Rejection MISSING_HOST = new Rejection(HttpResponseStatus.BAD_REQUEST, "missing Host header");
    static final Rejection INVALID_HOST = new Rejection(HttpResponseStatus.BAD_REQUEST, "invalid Host header");
    static final Rejection REPEATED_HOST = new Rejection(HttpResponseStatus.BAD_REQUEST, "repeated Host header");
    static final Rejection REPEATED_CONTENT_LENGTH =
            new Rejection(HttpResponseStatus.BAD_REQUEST, "repeated Content-Length header");
    static final Rejection INVALID_CONTENT_LENGTH =
            new Rejection(HttpResponseStatus.BAD_REQUEST, "invalid Content-Length header");
    static final Rejection BAD_TRANSFER_ENCODING =
            new Rejection(HttpResponseStatus.BAD_REQUEST, "unsupported Transfer-Encoding (only a single chunked)");
    static final Rejection TE_WITH_CONTENT_LENGTH =
            new Rejection(HttpResponseStatus.BAD_REQUEST, "Transfer-Encoding with Content-Length");
    static final Rejection BAD_TARGET = new Rejection(HttpResponseStatus.BAD_REQUEST, "invalid request-target");
    static final Rejection URI_TOO_LONG = new Rejection(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long");
    static final Rejection HEADERS_TOO_LARGE =
            new Rejection(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request header section too large");
    static final Rejection CONNECT = new Rejection(HttpResponseStatus.METHOD_NOT_ALLOWED, "CONNECT not supported");
    static final Rejection BAD_VERSION = new Rejection(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
            "HTTP version not supported");

    private RequestValidator() {
    }

    /** @return null when the head may be routed, else why not */
    static Rejection validate(HttpRequest request, boolean http2) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpLineException) {
                return URI_TOO_LONG;
            }
            if (cause instanceof TooLongHttpHeaderException) {
                return HEADERS_TOO_LARGE;
            }
            return new Rejection(HttpResponseStatus.BAD_REQUEST, "malformed request: " + safeMessage(cause));
        }
        HttpVersion version = request.protocolVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
            return BAD_VERSION;
        }
        if (request.method() == HttpMethod.CONNECT) {
            return CONNECT;
        }
        HttpHeaders headers = request.headers();

        CharSequence contentLength = single(headers, HttpHeaderNames.CONTENT_LENGTH);
        if (contentLength == MULTIPLE) {
            return REPEATED_CONTENT_LENGTH;
        }
        if (contentLength != null && !isDigits(contentLength)) {
            return INVALID_CONTENT_LENGTH;
        }
        CharSequence te = single(headers, HttpHeaderNames.TRANSFER_ENCODING);
        if (te != null) {
            if (te == MULTIPLE || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(trim(te))) {
                return BAD_TRANSFER_ENCODING;
            }
            if (contentLength != null) {
                return TE_WITH_CONTENT_LENGTH;
            }
            if (version != HttpVersion.HTTP_1_1 && !http2) {
                return BAD_TRANSFER_ENCODING;
            }
        }
        CharSequence host = single(headers, HttpHeaderNames.HOST);
        if (host == MULTIPLE) {
            return REPEATED_HOST;
        }
        String uri = request.uri();
        boolean absolute = RequestTarget.isAbsoluteForm(uri);
        if (!absolute && !uri.startsWith("/") && !("*".equals(uri) && request.method() == HttpMethod.OPTIONS)) {
            return BAD_TARGET;
        }
        if (host == null) {
            if (!absolute && version == HttpVersion.HTTP_1_1) {
                return MISSING_HOST;
            }
        } else if (RequestTarget.hostWithoutPort(host) == null) {
            return INVALID_HOST;
        }
        return null;
    }

    private static final String MULTIPLE = new String("multiple");

    /** @return the only value, null when absent, {@link #MULTIPLE} when repeated or a comma list */
    private static CharSequence single(HttpHeaders headers, CharSequence name) {
        Iterator<? extends CharSequence> it = headers.valueCharSequenceIterator(name);
        if (!it.hasNext()) {
            return null;
        }
        CharSequence first = it.next();
        if (it.hasNext()) {
            return MULTIPLE;
        }
        for (int i = 0; i < first.length(); i++) {
            if (first.charAt(i) == ',') {
                return MULTIPLE;
            }
        }
        return first;
    }

    private static boolean isDigits(CharSequence v) {
        CharSequence t = trim(v);
        if (t.length() == 0 || t.length() > 18) {
            return false;
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static CharSequence trim(CharSequence v) {
        int s = 0;
        int e = v.length();
        while (s < e && (v.charAt(s) == ' ' || v.charAt(s) == '\t')) {
            s++;
        }
        while (e > s && (v.charAt(e - 1) == ' ' || v.charAt(e - 1) == '\t')) {
            e--;
        }
        return v.subSequence(s, e);
    }

    private static String safeMessage(Throwable cause) {
        String m = cause.getMessage();
        if (m == null) {
            return cause.getClass().getSimpleName();
        }
        // never echo request bytes back verbatim at length
        m = m.replace('\r', ' ').replace('\n', ' ');
        return m.length() > 120 ? m.substring(0, 120) : m;
    }
}
