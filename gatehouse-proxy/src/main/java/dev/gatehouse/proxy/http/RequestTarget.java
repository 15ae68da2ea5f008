package dev.gatehouse.proxy.http;

import java.util.Locale;

/**
 * The routing view of a request-target: host (lower case, no port), path and query. Parsed by hand from
 * the URI and Host once per request; no {@link java.net.URI}, no regex.
 *
 * @param host lower-case host without port ("" when the request carries none)
 * @param path path as received, without query
 * @param query query without '?', or null
 * @param originForm the target to send upstream (absolute-form is reduced to origin-form)
 * @param authority the authority of an absolute-form target (it replaces Host), else null
 */
record RequestTarget(String host, String path, String query, String originForm, String authority) {

    static boolean isAbsoluteForm(String uri) {
        return uri.regionMatches(true, 0, "http://", 0, 7) || uri.regionMatches(true, 0, "https://", 0, 8);
    }

    /** @return the parsed target, or null when the authority of an absolute-form target is invalid */
    static RequestTarget parse(String uri, CharSequence hostHeader) {
        String authority = null;
        String origin = uri;
        if (isAbsoluteForm(uri)) {
            int start = uri.indexOf("://") + 3;
            int end = start;
            while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
                end++;
            }
            authority = uri.substring(start, end);
            origin = end == uri.length() ? "/" : uri.charAt(end) == '?' ? "/" + uri.substring(end) : uri.substring(end);
        }
        CharSequence hostSource = authority != null ? authority : hostHeader;
        String host = hostSource == null ? "" : hostWithoutPort(hostSource);
        if (host == null) {
            return null;
        }
        int q = origin.indexOf('?');
        String path = q < 0 ? origin : origin.substring(0, q);
        String query = q < 0 ? null : origin.substring(q + 1);
        return new RequestTarget(host, path, query, origin, authority);
    }

    /**
     * Validates "host[:port]" / "[v6]:port" and returns the host in lower case without the port.
     *
     * @return null when invalid
     */
    static String hostWithoutPort(CharSequence value) {
        long bounds = hostBounds(value);
        if (bounds < 0) {
            return null;
        }
        String host = value.subSequence((int) (bounds >>> 32) & HOST_INDEX, (int) bounds & HOST_INDEX).toString();
        return (bounds & UPPER) != 0 ? host.toLowerCase(Locale.ROOT) : host;
    }

    /** Whether {@link #hostWithoutPort} accepts {@code value}, without building the host (the validator's check). */
    static boolean isValidHost(CharSequence value) {
        return hostBounds(value) >= 0;
    }

    /** bit of {@link #hostBounds}'s result: the host has upper-case letters */
    private static final long UPPER = 1L << 62;
    /** an index in {@link #hostBounds}'s result: 30 bits at bit 0 and at bit 32 (a header value is far shorter) */
    private static final int HOST_INDEX = (1 << 30) - 1;

    /**
     * @return -1 when {@code value} is not a valid "host[:port]" / "[v6]:port", else the host's start index
     * (bits 32-61), its end index (bits 0-31) and {@link #UPPER}
     */
    private static long hostBounds(CharSequence value) {
        int len = value.length();
        int s = 0;
        while (s < len && value.charAt(s) == ' ') {
            s++;
        }
        while (len > s && value.charAt(len - 1) == ' ') {
            len--;
        }
        if (s == len) {
            return -1;
        }
        int hostEnd;
        boolean upper = false;
        if (value.charAt(s) == '[') {
            int close = -1;
            for (int i = s + 1; i < len; i++) {
                char c = value.charAt(i);
                if (c == ']') {
                    close = i;
                    break;
                }
                if (!(isHex(c) || c == ':' || c == '.')) {
                    return -1;
                }
                upper |= c >= 'A' && c <= 'Z';
            }
            if (close < 0 || close == s + 1) {
                return -1;
            }
            hostEnd = close + 1;
        } else {
            hostEnd = s;
            while (hostEnd < len && value.charAt(hostEnd) != ':') {
                char c = value.charAt(hostEnd);
                if (!isRegNameChar(c)) {
                    return -1;
                }
                upper |= c >= 'A' && c <= 'Z';
                hostEnd++;
            }
            if (hostEnd == s) {
                return -1;
            }
        }
        if (hostEnd < len) {
            if (value.charAt(hostEnd) != ':' || len - hostEnd - 1 > 5) {
                return -1;
            }
            for (int i = hostEnd + 1; i < len; i++) {
                char c = value.charAt(i);
                if (c < '0' || c > '9') {
                    return -1;
                }
            }
        }
        return (long) s << 32 | hostEnd | (upper ? UPPER : 0);
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /** RFC 3986 reg-name: unreserved / pct-encoded / sub-delims (without the delimiters that confuse routing). */
    private static boolean isRegNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '_' || c == '~' || c == '%' || c == '!' || c == '$' || c == '&'
                || c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' || c == ';' || c == '=';
    }
}
