package dev.gatehouse.routing.route;

import io.netty.handler.codec.http.HttpRequest;

import java.util.ArrayList;

/**
 * Puts the request path in one canonical form BEFORE routing, and forwards that form, so a route-level deny
 * cannot be bypassed by spelling the same path differently for the gateway and for the backend
 * ({@code /%61dmin}, {@code /x/../admin}, {@code //admin}, {@code /admin;x/}, {@code /%EF%BC%8Fadmin}...):
 * <ol>
 *   <li>percent-encodings of unreserved characters (RFC 3986 2.3) are decoded; the others are kept, with
 *       uppercase hex (2.1), so a backend that decodes sees what we matched;</li>
 *   <li>dot segments are removed (5.2.4), raw or encoded ({@code %2e}), and {@code ..} stops at the root;</li>
 *   <li>repeated slashes are merged (nginx's {@code merge_slashes on});</li>
 *   <li>{@code %2F} follows {@link EncodedSlashPolicy};</li>
 *   <li>refused with 400: a raw backslash or {@code %5C} (Windows and some Java servers treat it as '/'),
 *       {@code #}, raw control, space or non-ASCII bytes, {@code %00} and every encoded control (an encoded
 *       CR/LF must never become a line break behind us), malformed {@code %}, invalid or overlong UTF-8, encoded
 *       characters that Unicode compatibility folding turns into '/', '\', '.' or ASCII letters (fullwidth
 *       forms), and a {@code ..} or {@code .} segment with {@code ;} parameters (Tomcat reads {@code ..;} as
 *       {@code ..}).</li>
 * </ol>
 * {@code ;} parameters and a kept {@code %2F} stay in the forwarded path, but routing matches
 * {@link #routingView}: {@code /admin;x/} and {@code /admin%2Fx} match {@code /admin}.
 *
 * <p>Fast path: one scan of the target, no allocation, when nothing needs changing (the common case).
 */
public final class PathNormalizer {
    /** A refused target (answered 400); preallocated and stackless, so an attack costs no allocation. */
    public static final class InvalidPath extends Exception {
        private InvalidPath(String reason) {
            super(reason, null, false, false);
        }
    }

    static final InvalidPath CONTROL = new InvalidPath("invalid request-target: control character or space");
    static final InvalidPath NON_ASCII = new InvalidPath("invalid request-target: raw non-ASCII byte");
    static final InvalidPath NUL = new InvalidPath("invalid request-target: encoded NUL");
    static final InvalidPath FRAGMENT = new InvalidPath("invalid request-target: fragment");
    static final InvalidPath BACKSLASH = new InvalidPath("invalid request-target: backslash");
    static final InvalidPath BAD_PERCENT = new InvalidPath("invalid request-target: malformed percent-encoding");
    static final InvalidPath ENCODED_SLASH = new InvalidPath("invalid request-target: encoded slash");
    static final InvalidPath BAD_UTF8 = new InvalidPath("invalid request-target: invalid or overlong UTF-8");
    static final InvalidPath LOOKALIKE = new InvalidPath("invalid request-target: encoded ASCII lookalike");
    static final InvalidPath DOT_PARAMS = new InvalidPath("invalid request-target: dot segment with parameters");
    static final InvalidPath NOT_A_PATH = new InvalidPath("invalid request-target: path must start with '/'");

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PathNormalizer() {
    }

    /**
     * Normalises the path of the request's target in place (origin- or absolute-form) and checks its query.
     *
     * @return null when the request may be routed, else why not (a 400)
     */
    public static String normalizeTarget(HttpRequest request, EncodedSlashPolicy slashes) {
        String uri = request.uri();
        if ("*".equals(uri)) {
            return null;
        }
        int start = 0;
        if (uri.regionMatches(true, 0, "http://", 0, 7) || uri.regionMatches(true, 0, "https://", 0, 8)) {
            start = uri.indexOf("://") + 3;
            while (start < uri.length() && uri.charAt(start) != '/' && uri.charAt(start) != '?') {
                start++;
            }
        }
        int end = start;
        while (end < uri.length() && uri.charAt(end) != '?') {
            end++;
        }
        try {
            checkQuery(uri, end);
            if (start == end) {
                if (start == 0) {
                    throw NOT_A_PATH;
                }
                return null; // "http://host" or "http://host?q": RequestTarget supplies "/"
            }
            String normal = normalize(uri, start, end, slashes);
            if (normal != null) {
                request.setUri(uri.substring(0, start) + normal + uri.substring(end));
            }
            return null;
        } catch (InvalidPath e) {
            return e.getMessage();
        }
    }

    /** @return the normal form of {@code path}, the same instance when it already is */
    public static String normalize(String path, EncodedSlashPolicy slashes) throws InvalidPath {
        String normal = normalize(path, 0, path.length(), slashes);
        return normal == null ? path : normal;
    }

    /**
     * The path routing matches, for a path already normal: {@code ;} parameters removed from every segment (the
     * way servlet containers resolve {@code /admin;x/}) and a kept {@code %2F} read as '/', then slashes merged and
     * dot segments removed again. A backend that decodes {@code %2F} or drops parameters then sees the path we
     * matched, and one that does not sees a path under it, so neither reading slips past a prefix deny.
     *
     * @return the same instance when there is nothing to change (the common case)
     */
    public static String routingView(String path) {
        boolean encodedSlash = path.contains("%2F");
        if (path.indexOf(';') < 0 && !encodedSlash) {
            return path;
        }
        String p = encodedSlash ? path.replace("%2F", "/") : path;
        StringBuilder sb = new StringBuilder(p.length());
        boolean skipping = false;
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '/') {
                skipping = false;
            } else if (c == ';') {
                skipping = true;
            }
            if (!skipping) {
                sb.append(c);
            }
        }
        try {
            return removeDotSegments(sb.length() == 0 ? "/" : sb.toString());
        } catch (InvalidPath e) {
            throw new IllegalStateException(e); // parameters are gone: no dot segment can carry any
        }
    }

    private static void checkQuery(String uri, int from) throws InvalidPath {
        for (int i = from; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c == 0x7f) {
                throw CONTROL;
            }
            if (c > 0x7f) {
                throw NON_ASCII;
            }
            if (c == '#') {
                throw FRAGMENT;
            }
        }
    }

    /** @return null when {@code s[start, end)} is already normal, else its normal form */
    private static String normalize(String s, int start, int end, EncodedSlashPolicy slashes) throws InvalidPath {
        if (s.charAt(start) != '/') {
            throw NOT_A_PATH;
        }
        boolean slow = false;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c == 0x7f) {
                throw CONTROL;
            }
            if (c > 0x7f) {
                throw NON_ASCII;
            }
            switch (c) {
                case '#' -> throw FRAGMENT;
                case '\\' -> throw BACKSLASH;
                case '%', ';' -> slow = true;
                case '/' -> {
                    if (i + 1 < end && s.charAt(i + 1) == '/') {
                        slow = true;
                    }
                }
                case '.' -> {
                    if (s.charAt(i - 1) == '/' && (i + 1 == end || s.charAt(i + 1) == '/'
                            || s.charAt(i + 1) == '.' && (i + 2 == end || s.charAt(i + 2) == '/'))) {
                        slow = true;
                    }
                }
                default -> { }
            }
        }
        if (!slow) {
            return null;
        }
        String decoded = decode(s, start, end, slashes);
        String normal = removeDotSegments(decoded);
        return normal.contentEquals(s.subSequence(start, end)) ? null : normal;
    }

    private static String decode(String s, int start, int end, EncodedSlashPolicy slashes) throws InvalidPath {
        StringBuilder sb = new StringBuilder(end - start);
        int i = start;
        while (i < end) {
            char c = s.charAt(i);
            if (c != '%') {
                sb.append(c);
                i++;
                continue;
            }
            int v = hexByte(s, i, end);
            if (v < 0x80) {
                i += 3;
                if (v == 0) {
                    throw NUL;
                }
                if (v < 0x20 || v == 0x7f) {
                    throw CONTROL;
                }
                if (isUnreserved(v)) {
                    sb.append((char) v);
                } else if (v == '/') {
                    switch (slashes) {
                        case REJECT -> throw ENCODED_SLASH;
                        case DECODE -> sb.append('/');
                        case KEEP -> sb.append("%2F");
                    }
                } else if (v == '\\') {
                    throw BACKSLASH;
                } else {
                    appendEncoded(sb, v);
                }
            } else {
                i = utf8(s, i, end, v, sb);
            }
        }
        return sb.toString();
    }

    /** Validates one percent-encoded UTF-8 sequence starting at {@code i} (lead byte {@code lead}); keeps it encoded. */
    private static int utf8(String s, int i, int end, int lead, StringBuilder sb) throws InvalidPath {
        int n;
        int cp;
        if (lead >= 0xC2 && lead <= 0xDF) {
            n = 1;
            cp = lead & 0x1F;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            n = 2;
            cp = lead & 0x0F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            n = 3;
            cp = lead & 0x07;
        } else {
            throw BAD_UTF8; // stray continuation byte, C0/C1 (always overlong) or beyond U+10FFFF
        }
        int at = i + 3;
        int min = n == 1 ? 0x80 : n == 2 ? 0x800 : 0x10000;
        for (int k = 0; k < n; k++) {
            if (at >= end || s.charAt(at) != '%') {
                throw BAD_UTF8;
            }
            int b = hexByte(s, at, end);
            if ((b & 0xC0) != 0x80) {
                throw BAD_UTF8;
            }
            cp = cp << 6 | b & 0x3F;
            at += 3;
        }
        if (cp < min || cp > 0x10FFFF || cp >= 0xD800 && cp <= 0xDFFF) {
            throw BAD_UTF8; // overlong, out of range, or a surrogate
        }
        if (isAsciiLookalike(cp)) {
            throw LOOKALIKE;
        }
        for (int k = i; k < at; k += 3) {
            appendEncoded(sb, hexByte(s, k, end));
        }
        return at;
    }

    /** Code points NFKC folds (or common parsers map) to ASCII path syntax or letters: {@code ／ ＼ ． ａ ∕ ⁄ ․}. */
    private static boolean isAsciiLookalike(int cp) {
        return cp >= 0xFF01 && cp <= 0xFF5E // fullwidth ASCII
                || cp == 0x2024 || cp == 0x2025 // one and two dot leaders
                || cp == 0x2044 || cp == 0x2215 || cp == 0x2216 // fraction slash, division slash, set minus
                || cp == 0x29F5 || cp == 0x29F8 || cp == 0x29F9 // reverse solidus operator, big solidus, big reverse
                || cp == 0xFE52 || cp == 0xFE68; // small full stop, small reverse solidus
    }

    private static int hexByte(String s, int i, int end) throws InvalidPath {
        if (i + 2 >= end) {
            throw BAD_PERCENT;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0 || s.charAt(i + 1) > 'f' || s.charAt(i + 2) > 'f') {
            throw BAD_PERCENT;
        }
        return hi << 4 | lo;
    }

    private static void appendEncoded(StringBuilder sb, int v) {
        sb.append('%').append(HEX[v >> 4]).append(HEX[v & 0xF]);
    }

    private static boolean isUnreserved(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /** RFC 3986 5.2.4 on a decoded path that starts with '/', merging empty segments; ".." stops at the root. */
    private static String removeDotSegments(String path) throws InvalidPath {
        ArrayList<String> out = new ArrayList<>();
        boolean trailingSlash = false;
        int i = 1;
        int len = path.length();
        while (i <= len) {
            int slash = path.indexOf('/', i);
            int e = slash < 0 ? len : slash;
            boolean last = slash < 0;
            String seg = path.substring(i, e);
            int semi = seg.indexOf(';');
            String name = semi < 0 ? seg : seg.substring(0, semi);
            if (name.equals(".") || name.equals("..")) {
                if (semi >= 0) {
                    throw DOT_PARAMS;
                }
                if (name.equals("..") && !out.isEmpty()) {
                    out.remove(out.size() - 1);
                }
                trailingSlash = true;
            } else if (seg.isEmpty()) {
                trailingSlash = last ? true : trailingSlash;
            } else {
                out.add(seg);
                trailingSlash = false;
            }
            i = e + 1;
        }
        if (out.isEmpty()) {
            return "/";
        }
        StringBuilder sb = new StringBuilder(len);
        for (String seg : out) {
            sb.append('/').append(seg);
        }
        if (trailingSlash) {
            sb.append('/');
        }
        return sb.toString();
    }
}
