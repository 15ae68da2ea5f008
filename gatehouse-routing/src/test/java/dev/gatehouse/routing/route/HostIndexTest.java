package dev.gatehouse.routing.route;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostIndexTest {

    private static HostIndex<String> index(boolean withCatchAll) {
        HostIndex.Builder<String> b = HostIndex.builder();
        b.add("foo.example.com", "exact-foo");
        b.add("*.b.example.com", "wild-b");
        b.add("*.example.com", "wild-example");
        b.add("example.com", "exact-apex");
        b.add("*.com", "wild-com");
        if (withCatchAll) {
            b.add(null, "any");
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(nullValues = "null", value = {
            "foo.example.com,   exact-foo",
            "bar.example.com,   wild-example",
            "a.b.example.com,   wild-b",
            "x.a.b.example.com, wild-b",
            "b.example.com,     wild-example",  // "*.b.example.com" needs a label before ".b"
            "example.com,       exact-apex",     // wildcards never match the apex
            "other.com,         wild-com",
            "example.org,       any",
            "com,               any",
            ".example.com,      wild-com",       // leading dot: no label before ".example.com"
            "'',                any",
            "null,              any",
    })
    void mostSpecificWins(String host, String expected) {
        assertThat(index(true).lookup(host)).isEqualTo(expected);
    }

    @Test
    void withoutCatchAllUnknownHostsMiss() {
        HostIndex<String> index = index(false);
        assertThat(index.lookup("example.org")).isNull();
        assertThat(index.lookup(null)).isNull();
        assertThat(index.lookup("z.example.com")).isEqualTo("wild-example");
    }

    @Test
    void firstAddedWinsAndStarIsCatchAll() {
        HostIndex.Builder<String> b = HostIndex.builder();
        assertThat(b.add("*", "first")).isTrue();
        assertThat(b.add(null, "second")).isFalse();
        assertThat(b.add("A.Example.com", "upper")).isTrue();
        assertThat(b.add("a.example.com", "dup")).isFalse();
        HostIndex<String> index = b.build();
        assertThat(index.lookup("a.example.com")).isEqualTo("upper");
        assertThat(index.lookup("anything")).isEqualTo("first");
        assertThat(index.hostnames()).containsExactly("*", "a.example.com");
    }

    @Test
    void manyWildcardsStillResolveLongestSuffix() {
        HostIndex.Builder<String> b = HostIndex.builder();
        for (int i = 0; i < 200; i++) {
            b.add("*.d" + i + ".example.com", "d" + i);
        }
        b.add("*.example.com", "root");
        HostIndex<String> index = b.build();
        for (int i = 0; i < 200; i++) {
            assertThat(index.lookup("x.y.d" + i + ".example.com")).isEqualTo("d" + i);
        }
        assertThat(index.lookup("x.d200.example.com")).isEqualTo("root");
    }

    @Test
    void rejectsStarInsideName() {
        assertThatThrownBy(() -> HostIndex.<String>builder().add("foo.*.com", "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
