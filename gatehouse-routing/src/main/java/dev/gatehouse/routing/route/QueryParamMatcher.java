package dev.gatehouse.routing.route;

import dev.gatehouse.ir.HttpMatchSpec.QueryParamMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.ValueMatchType;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * One query parameter condition. Scans the raw query for the FIRST parameter with the name (the spec's
 * recommendation for repeated parameters) without building a map; names are case-sensitive. Names and
 * values are percent-decoded only when they contain '%' or '+', so the common case allocates nothing
 * for an exact match.
 */
final class QueryParamMatcher {
    /** {@link #find} result when the parameter is absent */
    private static final long NOT_FOUND = -1;

    private final String name;
    private final String exact;
    private final RouteRegex pattern;

    private QueryParamMatcher(String name, String exact, RouteRegex pattern) {
        this.name = name;
        this.exact = exact;
        this.pattern = pattern;
    }

    static QueryParamMatcher compile(QueryParamMatchSpec spec) {
        if (spec.type() == ValueMatchType.REGULAR_EXPRESSION) {
            return new QueryParamMatcher(spec.name(), null,
                    RouteRegex.compile(spec.value(), "query param " + spec.name()));
        }
        return new QueryParamMatcher(spec.name(), spec.value(), null);
    }

    String name() {
        return name;
    }

    /** @param query the raw query without '?', or {@code null} */
    boolean matches(String query) {
        long found = find(query);
        return found != NOT_FOUND && valueMatches(query, (int) (found >>> 32), (int) found);
    }

    /**
     * Why {@link #matches} is false ("query page: regex ^\d+$ does not match 'x'"), or {@code null} when it
     * is true. Explain only: it allocates the decoded value and the message.
     */
    String mismatch(String query) {
        long found = find(query);
        if (found == NOT_FOUND) {
            return "query " + name + ": missing";
        }
        int from = (int) (found >>> 32);
        int to = (int) found;
        if (valueMatches(query, from, to)) {
            return null;
        }
        String value = query.substring(from, to);
        if (needsDecoding(query, from, to)) {
            value = decode(value);
        }
        return pattern == null
                ? "query " + name + ": '" + value + "' != '" + exact + "'"
                : "query " + name + ": regex " + pattern.pattern() + " does not match '" + value + "'";
    }

    /**
     * Finds the first parameter with this name: its value's start and end offsets packed into one long
     * (start in the high half), or {@link #NOT_FOUND}; packing keeps the hot path allocation-free.
     */
    private long find(String query) {
        if (query == null) {
            return NOT_FOUND;
        }
        int n = query.length();
        int start = 0;
        while (start <= n) {
            int end = query.indexOf('&', start);
            if (end < 0) {
                end = n;
            }
            int eq = query.indexOf('=', start);
            if (eq < 0 || eq > end) {
                eq = end;
            }
            if (nameMatches(query, start, eq)) {
                int valueStart = Math.min(eq + 1, end);
                return ((long) valueStart << 32) | end;
            }
            start = end + 1;
        }
        return NOT_FOUND;
    }

    private boolean nameMatches(String query, int from, int to) {
        if (needsDecoding(query, from, to)) {
            return name.equals(decode(query.substring(from, to)));
        }
        return to - from == name.length() && query.regionMatches(from, name, 0, name.length());
    }

    private boolean valueMatches(String query, int from, int to) {
        boolean decode = needsDecoding(query, from, to);
        if (pattern == null && !decode) {
            return to - from == exact.length() && query.regionMatches(from, exact, 0, exact.length());
        }
        String value = query.substring(from, to);
        if (decode) {
            value = decode(value);
        }
        return pattern == null ? exact.equals(value) : pattern.matches(value);
    }

    private static boolean needsDecoding(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%' || c == '+') {
                return true;
            }
        }
        return false;
    }

    private static String decode(String raw) {
        try {
            return QueryStringDecoder.decodeComponent(raw);
        } catch (IllegalArgumentException malformed) {
            return raw; // a broken escape is compared as sent rather than failing the request
        }
    }

    String describe() {
        return pattern == null ? name + "=" + exact : name + "~" + pattern.pattern();
    }
}
