package dev.gatehouse.routing.route;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * A route's {@code RegularExpression} (path, header or query value), matched against the whole value with RE2
 * semantics (re2j): time linear in the input, so a request cannot make the event loop backtrack for seconds
 * ({@code /(a+)+$}) or overflow its stack ({@code /(a|a)+$}), as it could with java.util.regex. RE2 has no
 * backreferences, lookaround, atomic groups or possessive quantifiers; the translator refuses those with
 * UnsupportedValue before a pattern gets here. Compiled with the snapshot; immutable, shared by every loop.
 */
final class RouteRegex {
    private final Pattern pattern;

    private RouteRegex(Pattern pattern) {
        this.pattern = pattern;
    }

    /**
     * @param what the condition, for the error ("path", "header x-env")
     * @throws IllegalArgumentException when RE2 cannot compile {@code regex}
     */
    static RouteRegex compile(String regex, String what) {
        try {
            return new RouteRegex(Pattern.compile(regex));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(what + " RegularExpression '" + regex + "': " + e.getDescription(), e);
        }
    }

    boolean matches(String value) {
        return pattern.matches(value);
    }

    String pattern() {
        return pattern.pattern();
    }
}
