package dev.gatehouse.proxy.http;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestTargetTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "example.com|example.com",
        "Example.COM:8080|example.com",
        "  a.b  |a.b",
        "[::1]:80|[::1]",
        "[2001:DB8::1]|[2001:db8::1]",
        "a b|NULL",
        "a/b|NULL",
        "u@a|NULL",
        "a:|a",
        "a:123456|NULL",
        "'  Mixed-Case.Example:443 '|mixed-case.example",
        "a:8x|NULL",
        "[::1|NULL",
        "[]|NULL",
        ":80|NULL",
    })
    void hostWithoutPort(String in, String expected) {
        assertThat(RequestTarget.hostWithoutPort(in)).isEqualTo(expected);
        assertThat(RequestTarget.isValidHost(in)).isEqualTo(expected != null);
    }

    @Test
    void splitsPathAndQuery() {
        RequestTarget t = RequestTarget.parse("/a/b?x=1&y=2", "Host.Example");
        assertThat(t.host()).isEqualTo("host.example");
        assertThat(t.path()).isEqualTo("/a/b");
        assertThat(t.query()).isEqualTo("x=1&y=2");
        assertThat(t.authority()).isNull();
        assertThat(RequestTarget.parse("/a", "h").query()).isNull();
    }

    @Test
    void absoluteFormUsesItsAuthority() {
        RequestTarget t = RequestTarget.parse("http://Other:81/p?q", "ignored");
        assertThat(t.host()).isEqualTo("other");
        assertThat(t.authority()).isEqualTo("Other:81");
        assertThat(t.originForm()).isEqualTo("/p?q");
        assertThat(RequestTarget.parse("http://h", null).originForm()).isEqualTo("/");
        assertThat(RequestTarget.parse("http://h?x", null).originForm()).isEqualTo("/?x");
        assertThat(RequestTarget.parse("http://a b/", null)).isNull();
    }
}
