package dev.gatehouse.proxy.route;

import java.util.regex.Pattern;

/** Path {@code RegularExpression}: java.util.regex, whole-path match, compiled at snapshot time. */
final class RegexPathMatcher implements PathMatcher {
    private final Pattern pattern;

    RegexPathMatcher(Pattern pattern) {
        this.pattern = pattern;
    }

    @Override
    public boolean matches(String path) {
        return pattern.matcher(path).matches();
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
