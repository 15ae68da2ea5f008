package dev.gatehouse.routing.route;

import dev.gatehouse.ir.HttpMatchSpec.HeaderMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.ValueMatchType;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.Locale;

/**
 * One header condition. The name is an {@link AsciiString} (Netty compares names case-insensitively);
 * the value is compared exactly or as a whole-value regex ({@link RouteRegex}). A repeated request header is matched on
 * its first line, as the Gateway API leaves repeated headers implementation-specific.
 */
final class HeaderMatcher {
    private final AsciiString name;
    private final String exact;
    private final RouteRegex pattern;

    private HeaderMatcher(AsciiString name, String exact, RouteRegex pattern) {
        this.name = name;
        this.exact = exact;
        this.pattern = pattern;
    }

    static HeaderMatcher compile(HeaderMatchSpec spec) {
        AsciiString name = AsciiString.cached(spec.name().toLowerCase(Locale.ROOT));
        if (spec.type() == ValueMatchType.REGULAR_EXPRESSION) {
            return new HeaderMatcher(name, null, RouteRegex.compile(spec.value(), "header " + spec.name()));
        }
        return new HeaderMatcher(name, spec.value(), null);
    }

    AsciiString name() {
        return name;
    }

    boolean matches(HttpHeaders headers) {
        String value = headers.get(name);
        return value != null && valueMatches(value);
    }

    /** Why {@link #matches} is false ("header x-env: 'prod' != 'staging'"), or {@code null} when it is true. */
    String mismatch(HttpHeaders headers) {
        String value = headers.get(name);
        if (value == null) {
            return "header " + name + ": missing";
        }
        if (valueMatches(value)) {
            return null;
        }
        return pattern == null
                ? "header " + name + ": '" + value + "' != '" + exact + "'"
                : "header " + name + ": regex " + pattern.pattern() + " does not match '" + value + "'";
    }

    private boolean valueMatches(String value) {
        return pattern == null ? exact.equals(value) : pattern.matches(value);
    }

    String describe() {
        return pattern == null ? name + "=" + exact : name + "~" + pattern.pattern();
    }
}
