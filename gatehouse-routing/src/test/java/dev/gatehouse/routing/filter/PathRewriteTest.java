package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.FilterSpec.PathModifierSpec;
import dev.gatehouse.ir.FilterSpec.PathModifierType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PathRewriteTest {

    @ParameterizedTest(name = "{0} with prefix {1} replaced by ''{2}'' -> {3}")
    @CsvSource({
            // the table in HTTPPathModifier.ReplacePrefixMatch (apis/v1/httproute_types.go)
            "/foo/bar, /foo,  /xyz,  /xyz/bar",
            "/foo/bar, /foo,  /xyz/, /xyz/bar",
            "/foo/bar, /foo/, /xyz,  /xyz/bar",
            "/foo/bar, /foo/, /xyz/, /xyz/bar",
            "/foo,     /foo,  /xyz,  /xyz",
            "/foo/,    /foo,  /xyz,  /xyz/",
            "/foo/bar, /foo,  '',    /bar",
            "/foo/,    /foo,  '',    /",
            "/foo,     /foo,  '',    /",
            "/foo/,    /foo,  /,     /",
            "/foo,     /foo,  /,     /",
            // HTTPRouteRewritePath / HTTPRouteBackendURLRewrite / HTTPRouteRedirectPath / HTTPRouteBackendRequestRedirect
            "/prefix/one/two,                            /prefix/one,                            /one,                /one/two",
            "/prefix/one/two,                            /prefix/one,                            '',                  /two",
            "/prefix/one/two,                            /prefix/one,                            /,                   /two",
            "/strip-prefix/three,                        /strip-prefix,                          /,                   /three",
            "/strip-prefix,                              /strip-prefix,                          /,                   /",
            "/prefix/rewrite-path-and-modify-headers/one, /prefix/rewrite-path-and-modify-headers, /prefix,            /prefix/one",
            "/prefix/original,                           /prefix,                                /rewritten-prefix,   /rewritten-prefix/original",
            "/original-prefix/lemon,                     /original-prefix,                       /replacement-prefix, /replacement-prefix/lemon",
            "/path-and-host,                             /path-and-host,                         /replacement-prefix, /replacement-prefix",
            // prefix "/" keeps the whole path behind the replacement
            "/a/b,                                       /,                                      /xyz,                /xyz/a/b",
            // a path the prefix no longer matches is left alone
            "/other,                                     /foo,                                   /xyz,                /other",
    })
    void replacePrefixMatch(String path, String matchedPrefix, String replacement, String expected) {
        PathRewrite rewrite = PathRewrite.compile(new PathModifierSpec(PathModifierType.REPLACE_PREFIX_MATCH, replacement, matchedPrefix));
        assertThat(rewrite.apply(path)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "full {1} on {0}")
    @CsvSource({
            "/full/one/two,        /one",
            "/full/path/original,  /full-path-replacement",
            "/,                    /x/y/",
    })
    void replaceFullPath(String path, String replacement) {
        PathRewrite rewrite = PathRewrite.compile(new PathModifierSpec(PathModifierType.REPLACE_FULL_PATH, replacement, null));
        assertThat(rewrite.apply(path)).isEqualTo(replacement);
    }

    @Test
    void rejectsMissingPrefixAndBadCharacters() {
        assertThatThrownBy(() -> PathRewrite.compile(new PathModifierSpec(PathModifierType.REPLACE_PREFIX_MATCH, "/x", null)))
                .hasMessageContaining("PathPrefix");
        assertThatThrownBy(() -> PathRewrite.compile(new PathModifierSpec(PathModifierType.REPLACE_FULL_PATH, "/a b", null)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PathRewrite.compile(new PathModifierSpec(PathModifierType.REPLACE_FULL_PATH, "/a?b", null)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
