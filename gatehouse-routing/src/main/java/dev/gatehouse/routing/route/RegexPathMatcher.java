package dev.gatehouse.routing.route;

/** Path {@code RegularExpression}: whole-path match with RE2 semantics ({@link RouteRegex}). */
final class RegexPathMatcher implements PathMatcher {
    private final RouteRegex pattern;

    RegexPathMatcher(RouteRegex pattern) {
        this.pattern = pattern;
    }

    @Override
    public boolean matches(String path) {
        return pattern.matches(path);
    }

    @Override
    public String firstSegment() {
        return null;
    }

    @Override
    public String describe() {
        return "RegularExpression " + pattern.pattern();
    }
}
