package dev.gatehouse.routing.route;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static dev.gatehouse.routing.Fixtures.exact;
import static dev.gatehouse.routing.Fixtures.prefix;
import static dev.gatehouse.routing.Fixtures.regex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PathMatcherTest {

    @ParameterizedTest(name = "PathPrefix {0} vs {1} -> {2}")
    @CsvSource({
            "/,          /,              true",
            "/,          /anything/else, true",
            "/foo,       /foo,           true",
            "/foo,       /foo/,          true",
            "/foo,       /foo/bar,       true",
            "/foo,       /foobar,        false",
            "/foo,       /fo,            false",
            "/foo,       /Foo,           false",
            "/foo/,      /foo,           true",
            "/foo/,      /foo/bar,       true",
            "/foo/,      /foobar,        false",
            "/v2,        /v2example,     false",
            "/match/,    /match/any,     true",
            "/match/prefix/one, /match/prefix/one/any, true",
    })
    void prefix_(String value, String path, boolean expected) {
        assertThat(PathMatcher.compile(prefix(value)).matches(path)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "Exact {0} vs {1} -> {2}")
    @CsvSource({
            "/one, /one,         true",
            "/one, /one/,        false",
            "/one, /one/example, false",
            "/two, /Two,         false",
            "/,    /,            true",
    })
    void exact_(String value, String path, boolean expected) {
        assertThat(PathMatcher.compile(exact(value)).matches(path)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "Regex {0} vs {1} -> {2}")
    @CsvSource({
            "/v[0-9]+/.*,  /v12/users, true",
            "/v[0-9]+/.*,  /vx/users,  false",
            "/v[0-9]+,     /v1/extra,  false",   // whole-path match, not find()
            "'.*/[a-z]+', /a/b/c,      true",
    })
    void regex_(String value, String path, boolean expected) {
        assertThat(PathMatcher.compile(regex(value)).matches(path)).isEqualTo(expected);
    }

    @Test
    void invalidRegexFailsAtCompileTime() {
        assertThatThrownBy(() -> PathMatcher.compile(regex("/foo[")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/foo[");
    }

    @Test
    void missingPathMatchesEverything() {
        assertThat(PathMatcher.compile(null).matches("/x/y")).isTrue();
    }
}
