package dev.gatehouse.routing.route;

/** Path {@code Exact}: case-sensitive string equality; "/two/" does not match "/two". */
final class ExactPathMatcher implements PathMatcher {
    private final String value;

    ExactPathMatcher(String value) {
        this.value = value;
    }

    @Override
    public boolean matches(String path) {
        return value.equals(path);
    }

    @Override
    public String firstSegment() {
        return PathMatcher.firstSegmentOf(value);
    }

    @Override
    public String describe() {
        return "Exact " + value;
    }
}
