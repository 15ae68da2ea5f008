package dev.gatehouse.translate;

import dev.gatehouse.translate.validate.DurationFormat;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class DurationFormatTest {
    @Test
    void parsesGatewayApiDurations() {
        assertThat(DurationFormat.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(DurationFormat.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationFormat.parse("1h2m3s4ms")).isEqualTo(Duration.ofMillis(3_723_004));
        assertThat(DurationFormat.parse("0s")).isEqualTo(Duration.ZERO);
        assertThat(DurationFormat.parse("1m")).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void rejectsOtherFormats() {
        assertThat(DurationFormat.parse("1.5s")).isNull();
        assertThat(DurationFormat.parse("10")).isNull();
        assertThat(DurationFormat.parse("123456s")).isNull();
        assertThat(DurationFormat.parse("1h1h1h1h1h")).isNull();
        assertThat(DurationFormat.parse(null)).isNull();
    }
}
