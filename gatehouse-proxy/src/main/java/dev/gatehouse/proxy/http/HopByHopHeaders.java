package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.http1.HopByHopNames;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;

import java.util.List;

/**
 * Removes headers that describe one connection, not the message (RFC 9110 7.6.1), in both directions.
 * Transfer-Encoding goes too: the next hop's codec frames the body itself.
 */
final class HopByHopHeaders {
    static final AsciiString PROXY_CONNECTION = HopByHopNames.PROXY_CONNECTION;
    private static final AsciiString[] HTTP2_EXTENSIONS;

    static {
        HttpConversionUtil.ExtensionHeaderNames[] names = HttpConversionUtil.ExtensionHeaderNames.values();
        HTTP2_EXTENSIONS = new AsciiString[names.length];
        for (int i = 0; i < names.length; i++) {
            HTTP2_EXTENSIONS[i] = names[i].text();
        }
    }

    private HopByHopHeaders() {
    }

    /**
     * @param keepUpgrade true for a WebSocket handshake, whose Upgrade header must reach the next hop
     */
    static void strip(HttpHeaders headers, boolean keepUpgrade) {
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
            for (int i = 0; i < values.size(); i++) {
                removeNominated(headers, values.get(i));
            }
            headers.remove(HttpHeaderNames.CONNECTION);
        }
        int names = keepUpgrade ? HopByHopNames.ALL_BUT_UPGRADE : HopByHopNames.ALL.size();
        for (int i = 0; i < names; i++) {
            headers.remove(HopByHopNames.ALL.get(i));
        }
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    }

    static final AsciiString X_ORIGINAL_URL = AsciiString.cached("x-original-url");
    static final AsciiString X_REWRITE_URL = AsciiString.cached("x-rewrite-url");
    static final AsciiString HTTP2_SETTINGS = AsciiString.cached("http2-settings");

    /**
     * Runs on the client's request BEFORE routing and filters: removes the headers its Connection header
     * nominates now, so a client cannot use {@code Connection: X-Auth-User} to strip a header a filter adds
     * later, and keeps only the Connection tokens that still mean something (close, keep-alive, upgrade).
     * Also drops {@code X-Original-URL} and {@code X-Rewrite-URL} (IIS, Symfony and Zend route by them, past any
     * path rule of ours) and {@code HTTP2-Settings} (only meaningful to the hop that upgrades to h2c).
     */
    static void sanitizeClientRequest(HttpHeaders headers) {
        headers.remove(X_ORIGINAL_URL);
        headers.remove(X_REWRITE_URL);
        headers.remove(HTTP2_SETTINGS);
        if (!headers.contains(HttpHeaderNames.CONNECTION)) {
            return;
        }
        List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
        boolean asReceived = values.size() == 1;
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            removeNominated(headers, value);
            asReceived &= onlyKeptTokens(value);
        }
        if (asReceived) {
            return; // "keep-alive", "close", "Upgrade": the usual value stays as it came, nothing to rebuild
        }
        StringBuilder kept = null;
        for (int i = 0; i < values.size(); i++) {
            for (String token : values.get(i).split(",")) {
                String t = token.trim();
                if (HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(t) || HttpHeaderValues.KEEP_ALIVE.contentEqualsIgnoreCase(t)
                        || HttpHeaderValues.UPGRADE.contentEqualsIgnoreCase(t)) {
                    kept = kept == null ? new StringBuilder(t) : kept.append(", ").append(t);
                }
            }
        }
        if (kept == null) {
            headers.remove(HttpHeaderNames.CONNECTION);
        } else {
            headers.set(HttpHeaderNames.CONNECTION, kept.toString());
        }
    }

    /** Whether every comma-separated token of a Connection value is close, keep-alive or upgrade (none empty). */
    private static boolean onlyKeptTokens(String value) {
        int start = 0;
        int len = value.length();
        while (start <= len) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? len : comma;
            int s = skipSpace(value, start, end);
            int e = trimSpace(value, s, end);
            if (!is(value, s, e, HttpHeaderValues.CLOSE) && !is(value, s, e, HttpHeaderValues.KEEP_ALIVE)
                    && !is(value, s, e, HttpHeaderValues.UPGRADE)) {
                return false;
            }
            start = end + 1;
        }
        return true;
    }

    /** Drops the pseudo-header copies (x-http2-stream-id, x-http2-scheme...) the h2 to h1 conversion adds. */
    static void stripHttp2Extensions(HttpHeaders headers) {
        for (AsciiString name : HTTP2_EXTENSIONS) {
            headers.remove(name);
        }
    }

    /** Removes every header a Connection value names, except the ones that frame or address the message. */
    private static void removeNominated(HttpHeaders headers, String value) {
        int start = 0;
        int len = value.length();
        while (start < len) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? len : comma;
            int s = skipSpace(value, start, end);
            int e = trimSpace(value, s, end);
            if (e > s && !is(value, s, e, HttpHeaderValues.CLOSE) && !is(value, s, e, HttpHeaderValues.KEEP_ALIVE)
                    && !is(value, s, e, HttpHeaderValues.UPGRADE) && !is(value, s, e, HttpHeaderNames.HOST)
                    && !is(value, s, e, HttpHeaderNames.CONTENT_LENGTH)) {
                headers.remove(value.substring(s, e));
            }
            start = end + 1;
        }
    }

    /** Whether {@code value[s, e)} is {@code name}, ignoring case; compared in place, no substring per token. */
    private static boolean is(String value, int s, int e, AsciiString name) {
        return e - s == name.length() && AsciiString.regionMatches(value, true, s, name, 0, e - s);
    }

    private static int skipSpace(String value, int s, int end) {
        while (s < end && isSpace(value.charAt(s))) {
            s++;
        }
        return s;
    }

    private static int trimSpace(String value, int s, int e) {
        while (e > s && isSpace(value.charAt(e - 1))) {
            e--;
        }
        return e;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }
}
