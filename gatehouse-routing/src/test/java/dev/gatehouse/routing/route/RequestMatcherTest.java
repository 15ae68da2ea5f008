package dev.gatehouse.routing.route;

import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.HeaderMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.QueryParamMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.ValueMatchType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static dev.gatehouse.routing.Fixtures.exchange;
import static dev.gatehouse.routing.Fixtures.header;
import static dev.gatehouse.routing.Fixtures.match;
import static dev.gatehouse.routing.Fixtures.prefix;
import static dev.gatehouse.routing.Fixtures.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestMatcherTest {

    private static boolean matches(HttpMatchSpec spec, String method, String target, String... headers) {
        return RequestMatcher.compile(spec).matches(exchange(method, target, "example.com", headers));
    }

    @Test
    void headerNamesAreCaseInsensitiveValuesExact() {
        HttpMatchSpec spec = match(prefix("/"), null, List.of(header("version", "two"), header("color", "orange")), List.of());
        assertThat(matches(spec, "GET", "/", "Version", "two", "COLOR", "orange")).isTrue();
        assertThat(matches(spec, "GET", "/", "Version", "two", "Color", "Orange")).isFalse();
        assertThat(matches(spec, "GET", "/", "Version", "two")).isFalse();
    }

    @Test
    void headerRegexMatchesWholeValue() {
        HttpMatchSpec spec = match(prefix("/"), null,
                List.of(new HeaderMatchSpec(ValueMatchType.REGULAR_EXPRESSION, "x-id", "[0-9]+")), List.of());
        assertThat(matches(spec, "GET", "/", "X-Id", "123")).isTrue();
        assertThat(matches(spec, "GET", "/", "X-Id", "12a")).isFalse();
    }

    @Test
    void onlyTheFirstConditionPerHeaderNameCounts() {
        HttpMatchSpec spec = match(prefix("/"), null, List.of(header("color", "red"), header("Color", "blue")), List.of());
        assertThat(matches(spec, "GET", "/", "color", "red")).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "null", value = {
            "/?animal=whale,                     true",
            "/?animal=whale&otherparam=x,        true",
            "/?other=1&animal=whale,             true",
            "/?animal=whaledolphin,              false",
            "/?ANIMAL=whale,                     false",   // names are case-sensitive
            "/?animal=Whale,                     false",
            "/?animal=dolphin&animal=whale,      false",   // first occurrence wins
            "/?animal=whale&animal=dolphin,      true",
            "/?animal,                           false",
            "/?animal=wh%61le,                   true",    // percent-decoded
            "/?an%69mal=whale,                   true",
            "/?animal=wh%zzle,                   false",   // malformed escape compared raw
            "/,                                  false",
            "/?,                                 false",
    })
    void queryParamExact(String target, boolean expected) {
        HttpMatchSpec spec = match(prefix("/"), null, List.of(), List.of(query("animal", "whale")));
        assertThat(matches(spec, "GET", target)).isEqualTo(expected);
    }

    @Test
    void queryParamEmptyValueAndRegex() {
        HttpMatchSpec empty = match(prefix("/"), null, List.of(), List.of(query("flag", "")));
        assertThat(matches(empty, "GET", "/?flag")).isTrue();
        assertThat(matches(empty, "GET", "/?flag=")).isTrue();
        HttpMatchSpec regex = match(prefix("/"), null, List.of(),
                List.of(new QueryParamMatchSpec(ValueMatchType.REGULAR_EXPRESSION, "page", "[0-9]{1,3}")));
        assertThat(matches(regex, "GET", "/?page=42")).isTrue();
        assertThat(matches(regex, "GET", "/?page=4242")).isFalse();
        assertThat(matches(regex, "GET", "/?page=a+b")).isFalse();
    }

    @Test
    void methodPathHeadersAndQueryAreAllRequired() {
        HttpMatchSpec spec = match(prefix("/path2"), "POST", List.of(header("version", "two")), List.of(query("animal", "whale")));
        assertThat(matches(spec, "POST", "/path2?animal=whale", "version", "two")).isTrue();
        assertThat(matches(spec, "GET", "/path2?animal=whale", "version", "two")).isFalse();
        assertThat(matches(spec, "POST", "/path3?animal=whale", "version", "two")).isFalse();
        assertThat(matches(spec, "POST", "/path2?animal=whale")).isFalse();
        assertThat(matches(spec, "POST", "/path2", "version", "two")).isFalse();
    }

    @Test
    void badRegexesFailAtCompileTime() {
        assertThatThrownBy(() -> RequestMatcher.compile(match(prefix("/"), null,
                List.of(new HeaderMatchSpec(ValueMatchType.REGULAR_EXPRESSION, "x", "(")), List.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header x");
        assertThatThrownBy(() -> RequestMatcher.compile(match(prefix("/"), null, List.of(),
                List.of(new QueryParamMatchSpec(ValueMatchType.REGULAR_EXPRESSION, "q", "[")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query param q");
    }
}
