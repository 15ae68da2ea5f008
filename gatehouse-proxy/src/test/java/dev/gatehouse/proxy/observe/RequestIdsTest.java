package dev.gatehouse.proxy.observe;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RequestIdsTest {
    @Test
    void generatedIdsAre32HexDigitsAndDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = RequestIds.generate().toString();
            assertThat(id).matches("[0-9a-f]{32}");
            seen.add(id);
        }
        assertThat(seen).hasSize(10_000);
    }

    @Test
    void clientIdsAreKeptOnlyWhenShortAndVisibleAscii() {
        assertThat(RequestIds.acceptable("abc-123_XYZ.{}")).isTrue();
        assertThat(RequestIds.acceptable("x".repeat(128))).isTrue();
        assertThat(RequestIds.acceptable("x".repeat(129))).isFalse();
        assertThat(RequestIds.acceptable("")).isFalse();
        assertThat(RequestIds.acceptable(null)).isFalse();
        assertThat(RequestIds.acceptable("a b")).isFalse();
        assertThat(RequestIds.acceptable("a\tb")).isFalse();
        assertThat(RequestIds.acceptable("é")).isFalse();
    }
}
