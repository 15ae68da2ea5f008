package dev.gatehouse.routing.route;

import dev.gatehouse.ir.HttpMatchSpec.PathMatchSpec;

/** Matches the request path (as received, no query). Compiled once; implementations are immutable. */
interface PathMatcher {

    boolean matches(String path);

    /**
     * The first path segment every matching path must have ("users" for Exact /users/1 or PathPrefix /users),
     * or {@code null} when paths with any first segment may match (PathPrefix /, regexes). Lets
     * {@link SegmentIndexedRules} skip rules that cannot match.
     */
    String firstSegment();

    /** The first segment of a configured path value, or {@code null} when it does not start with '/'. */
    static String firstSegmentOf(String value) {
        if (value == null || value.isEmpty() || value.charAt(0) != '/') {
            return null;
        }
        int end = value.indexOf('/', 1);
        return value.substring(1, end < 0 ? value.length() : end);
    }

    /** e.g. {@code PathPrefix /foo}, for describe() */
    String describe();

    /** @throws IllegalArgumentException on an invalid regex or an unknown type */
    static PathMatcher compile(PathMatchSpec spec) {
        if (spec == null) {
            return PrefixPathMatcher.ALL;
        }
        switch (spec.type()) {
            case EXACT:
                return new ExactPathMatcher(spec.value());
            case PATH_PREFIX:
                return PrefixPathMatcher.of(spec.value());
            case REGULAR_EXPRESSION:
                return new RegexPathMatcher(RouteRegex.compile(spec.value(), "path"));
            default:
                throw new IllegalArgumentException("unsupported path match type " + spec.type());
        }
    }
}
