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
        int len = value.length();
        int s = 0;
        while (s < len && value.charAt(s) == ' ') {
            s++;
        }
        while (len > s && value.charAt(len - 1) == ' ') {
            len--;
        }
        if (s == len) {
            return null;
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
                    return null;
                }
                upper |= c >= 'A' && c <= 'Z';
            }
            if (close < 0 || close == s + 1) {
                return null;
            }
            hostEnd = close + 1;
        } else {
            hostEnd = s;
            while (hostEnd < len && value.charAt(hostEnd) != ':') {
                char c = value.charAt(hostEnd);
                if (!isRegNameChar(c)) {
                    return null;
                }
                upper |= c >= 'A' && c <= 'Z';
                hostEnd++;
            }
            if (hostEnd == s) {
                return null;
            }
        }
        if (hostEnd < len) {
            if (value.charAt(hostEnd) != ':' || len - hostEnd - 1 > 5) {
                return null;
            }
            for (int i = hostEnd + 1; i < len; i++) {
                char c = value.charAt(i);
                if (c < '0' || c > '9') {
                    return null;
                }
            }
        }
        String host = value.subSequence(s, hostEnd).toString();
        return upper ? host.toLowerCase(Locale.ROOT) : host;
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
