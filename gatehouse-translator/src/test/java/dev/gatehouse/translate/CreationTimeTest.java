package dev.gatehouse.translate;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The fast reading of the API server's timestamps agrees with Instant.parse, and odd forms still parse or sort last. */
class CreationTimeTest {
    @ParameterizedTest
    @ValueSource(strings = {"2026-12-07T01:02:03Z", "1999-01-01T00:00:00Z", "2024-02-29T23:59:59Z",
            "2026-12-07T01:02:03.123Z", "2026-12-07T01:02:03+02:00"})
    void readsAsInstantParseDoes(String t) {
        assertThat(ResourceIndex.created(at(t))).isEqualTo(java.time.OffsetDateTime.parse(t).toInstant());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-13-07T01:02:03Z", "2026-02-30T01:02:03Z", "yesterday", "2026-12-07T25:02:03Z"})
    void anUnreadableTimeSortsLast(String t) {
        assertThat(ResourceIndex.created(at(t))).isEqualTo(Instant.MAX);
    }

    private static HasMetadata at(String t) {
        return new ConfigMapBuilder().withNewMetadata().withName("x").withCreationTimestamp(t).endMetadata().build();
    }
}
