package dev.gatehouse.routing.route;

/**
 * Path {@code PathPrefix}, element-wise: "/foo" matches "/foo", "/foo/" and "/foo/bar" but not "/foobar".
 * A trailing "/" in the configured prefix is ignored, so "/foo/" behaves as "/foo" and "/" matches all.
 */
final class PrefixPathMatcher implements PathMatcher {
    static final PrefixPathMatcher ALL = new PrefixPathMatcher("/", "");

    private final String configured;
    /** the prefix without trailing slashes; empty for "/" */
    private final String prefix;

    private PrefixPathMatcher(String configured, String prefix) {
        this.configured = configured;
        this.prefix = prefix;
    }

    static PrefixPathMatcher of(String value) {
        String p = value == null ? "" : value;
        int end = p.length();
        while (end > 0 && p.charAt(end - 1) == '/') {
            end--;
        }
        return end == 0 ? ALL : new PrefixPathMatcher(p, p.substring(0, end));
    }

    @Override
    public boolean matches(String path) {
        if (prefix.isEmpty()) {
            return true;
        }
        int n = prefix.length();
        return path.startsWith(prefix) && (path.length() == n || path.charAt(n) == '/');
    }

    @Override
    public String firstSegment() {
        return prefix.isEmpty() ? null : PathMatcher.firstSegmentOf(prefix);
    }

    @Override
    public String describe() {
        return "PathPrefix " + configured;
    }
}
