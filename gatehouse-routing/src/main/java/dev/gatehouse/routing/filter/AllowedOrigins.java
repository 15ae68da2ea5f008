package dev.gatehouse.routing.filter;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code allowOrigins} of a CORS filter, compiled. "*" alone allows every origin; otherwise an entry
 * is an exact origin or a pattern whose '*' stands for any number of DNS labels to its left
 * ("https://*.bar.com" allows "https://www.bar.com" and "https://a.www.bar.com", not "https://bar.com").
 * Default ports are dropped on both sides ("https://x:443" equals "https://x"), scheme and host compare
 * case-insensitively.
 */
final class AllowedOrigins {
    private final boolean any;
    private final Set<String> exact;
    private final String[] patternPrefixes;
    private final String[] patternSuffixes;

    private AllowedOrigins(boolean any, Set<String> exact, String[] patternPrefixes, String[] patternSuffixes) {
        this.any = any;
        this.exact = exact;
        this.patternPrefixes = patternPrefixes;
        this.patternSuffixes = patternSuffixes;
    }

    static AllowedOrigins compile(List<String> origins) {
        boolean any = false;
        Set<String> exact = new HashSet<>();
        List<String> prefixes = new ArrayList<>();
        List<String> suffixes = new ArrayList<>();
        for (String raw : origins) {
            if (raw == null || raw.isEmpty()) {
                throw new IllegalArgumentException("CORS allowOrigins has an empty entry");
            }
            HeaderFieldValidator.value("allowOrigins", raw);
            if (raw.equals("*")) {
                any = true;
                continue;
            }
            String origin = withoutDefaultPort(raw.toLowerCase(Locale.ROOT));
            int star = origin.indexOf('*');
            if (star < 0) {
                exact.add(origin);
            } else if (origin.indexOf('*', star + 1) >= 0) {
                throw new IllegalArgumentException("CORS origin '" + raw + "' has more than one '*'");
            } else {
                prefixes.add(origin.substring(0, star));
                suffixes.add(origin.substring(star + 1));
            }
        }
        return new AllowedOrigins(any, Set.copyOf(exact), prefixes.toArray(new String[0]), suffixes.toArray(new String[0]));
    }

    boolean allowsAny() {
        return any;
    }

    boolean allows(String origin) {
        if (origin == null) {
            return false;
        }
        if (any) {
            return true;
        }
        String o = withoutDefaultPort(origin);
        if (exact.contains(o) || (!exact.isEmpty() && exact.contains(o.toLowerCase(Locale.ROOT)))) {
            return true;
        }
        for (int i = 0; i < patternPrefixes.length; i++) {
            if (matchesPattern(o, patternPrefixes[i], patternSuffixes[i])) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesPattern(String origin, String prefix, String suffix) {
        int middle = origin.length() - prefix.length() - suffix.length();
        if (middle <= 0
                || !origin.regionMatches(true, 0, prefix, 0, prefix.length())
                || !origin.regionMatches(true, origin.length() - suffix.length(), suffix, 0, suffix.length())) {
            return false;
        }
        // The '*' covers host labels only: no path, port or userinfo may hide in it.
        for (int i = prefix.length(), end = prefix.length() + middle; i < end; i++) {
            char c = origin.charAt(i);
            if (c == '/' || c == '@' || (c == ':' && !suffix.isEmpty())) {
                return false;
            }
        }
        return true;
    }

    private static String withoutDefaultPort(String origin) {
        if (origin.endsWith(":443") && origin.regionMatches(true, 0, "https://", 0, 8)) {
            return origin.substring(0, origin.length() - 4);
        }
        if (origin.endsWith(":80") && origin.regionMatches(true, 0, "http://", 0, 7)) {
            return origin.substring(0, origin.length() - 3);
        }
        return origin;
    }

    @Override
    public String toString() {
        if (any) {
            return "*";
        }
        List<String> all = new ArrayList<>(exact);
        for (int i = 0; i < patternPrefixes.length; i++) {
            all.add(patternPrefixes[i] + "*" + patternSuffixes[i]);
        }
        return String.join(",", all);
    }
}
