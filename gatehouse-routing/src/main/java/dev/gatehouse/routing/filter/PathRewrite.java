package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.FilterSpec.PathModifierSpec;
import dev.gatehouse.ir.FilterSpec.PathModifierType;

/**
 * An HTTPPathModifier, shared by RequestRedirect and URLRewrite. ReplacePrefixMatch works on whole path
 * elements with trailing slashes of both prefix and replacement ignored, which reproduces the spec's
 * table: on "/foo/bar" with prefix "/foo", "/xyz" and "/xyz/" give "/xyz/bar", "" and "/" give "/bar";
 * on "/foo" the empty replacement gives "/"; on "/foo/" the replacement "/xyz" gives "/xyz/".
 */
final class PathRewrite {
    private final boolean fullPath;
    private final String value;
    /** matched prefix without trailing slashes ("" for "/") */
    private final String prefix;

    private PathRewrite(boolean fullPath, String value, String prefix) {
        this.fullPath = fullPath;
        this.value = value;
        this.prefix = prefix;
    }

    static PathRewrite compile(PathModifierSpec spec) {
        if (spec.value() == null) {
            throw new IllegalArgumentException("path modifier " + spec.type() + " without a value");
        }
        checkPath(spec.value());
        if (spec.type() == PathModifierType.REPLACE_FULL_PATH) {
            return new PathRewrite(true, spec.value().isEmpty() ? "/" : spec.value(), null);
        }
        if (spec.matchedPrefix() == null) {
            throw new IllegalArgumentException("ReplacePrefixMatch needs the rule's PathPrefix match");
        }
        return new PathRewrite(false, withoutTrailingSlashes(spec.value()), withoutTrailingSlashes(spec.matchedPrefix()));
    }

    private static void checkPath(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= 0x20 || c == 0x7f || c == '?' || c == '#' || c > 0xff) {
                throw new IllegalArgumentException("path '" + path + "' has invalid character at " + i);
            }
        }
    }

    private static String withoutTrailingSlashes(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(0, end);
    }

    /** @param path the current request path, no query */
    String apply(String path) {
        if (fullPath) {
            return value;
        }
        String current = path == null ? "" : path;
        int n = prefix.length();
        if (!current.startsWith(prefix) || (current.length() > n && current.charAt(n) != '/')) {
            // Another filter already changed the path so the prefix no longer matches: leave it alone.
            return current.isEmpty() ? "/" : current;
        }
        String result = value.concat(current.substring(n));
        if (result.isEmpty()) {
            return "/";
        }
        return result.charAt(0) == '/' ? result : "/" + result;
    }

    /** e.g. {@code ReplacePrefixMatch /v1 -> /}, with "/" where the stored form is empty. */
    String describe() {
        return fullPath ? "ReplaceFullPath " + value : "ReplacePrefixMatch " + orSlash(prefix) + " -> " + orSlash(value);
    }

    /** The resulting path with the request's part in braces: "/new", "/v2{rest after /v1}". */
    String template() {
        return fullPath ? value : value + "{path after " + orSlash(prefix) + "}";
    }

    private static String orSlash(String s) {
        return s.isEmpty() ? "/" : s;
    }

    @Override
    public String toString() {
        return fullPath ? "ReplaceFullPath " + value : "ReplacePrefixMatch " + prefix + " -> " + value;
    }
}
