package dev.gatehouse.proxy.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpContentException;
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
    static final Rejection HOST_MISMATCH =
            new Rejection(HttpResponseStatus.BAD_REQUEST, "absolute-form target and Host name different hosts");
    static final Rejection FRAMING_LOOKALIKE = new Rejection(HttpResponseStatus.BAD_REQUEST,
            "header name like Content-Length or Transfer-Encoding with '_' (CGI-style servers read it as framing)");

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
            if (cause instanceof TooLongHttpContentException) {
                return new Rejection(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, cause.getMessage());
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
        } else if (!RequestTarget.isValidHost(host)) {
            return INVALID_HOST;
        } else if (absolute && !sameHost(uri, host)) {
            // RFC 9112 3.2.2 lets us ignore Host; a backend or cache behind us may not (HAProxy refuses this too)
            return HOST_MISMATCH;
        }
        if (hasFramingLookalike(headers)) {
            return FRAMING_LOOKALIKE;
        }
        return null;
    }

    private static boolean sameHost(String absoluteUri, CharSequence host) {
        int start = absoluteUri.indexOf("://") + 3;
        int end = start;
        while (end < absoluteUri.length() && absoluteUri.charAt(end) != '/' && absoluteUri.charAt(end) != '?') {
            end++;
        }
        String a = RequestTarget.hostWithoutPort(absoluteUri.substring(start, end));
        return a != null && a.equals(RequestTarget.hostWithoutPort(host));
    }

    /** Content_Length / Transfer_Encoding: CGI, WSGI and PHP map '_' and '-' to the same variable. */
    private static boolean hasFramingLookalike(HttpHeaders headers) {
        Iterator<java.util.Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            CharSequence name = it.next().getKey();
            int len = name.length();
            if ((len == 14 || len == 17) && indexOf(name, '_') >= 0) {
                String dashed = name.toString().replace('_', '-');
                if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(dashed)
                        || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(dashed)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int indexOf(CharSequence s, char c) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
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
