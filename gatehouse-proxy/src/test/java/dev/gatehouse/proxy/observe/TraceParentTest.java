package dev.gatehouse.proxy.observe;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import io.netty.util.AsciiString;

import static org.assertj.core.api.Assertions.assertThat;

class TraceParentTest {
    private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aValidHeaderYieldsItsParts() {
        assertThat(TraceParent.isValid(VALID)).isTrue();
        assertThat(TraceParent.traceId(VALID)).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(TraceParent.spanId(VALID)).isEqualTo("00f067aa0ba902b7");
        assertThat(TraceParent.sampled(VALID)).isTrue();
        assertThat(TraceParent.sampled(VALID.replace("-01", "-00"))).isFalse();
        assertThat(TraceParent.format("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true)).isEqualTo(VALID);
    }

    @Test
    void unsampledTraceParentsContinueAValidTraceOrStartOneAndAlwaysTakeANewSpan() {
        for (int i = 0; i < 1000; i++) {
            String fresh = TraceParent.unsampled(null).toString();
            assertThat(TraceParent.isValid(fresh)).as(fresh).isTrue();
            assertThat(TraceParent.sampled(fresh)).isFalse();
            assertThat(TraceParent.traceIdOf(TraceParent.unsampled(null)).toString()).matches("[0-9a-f]{32}");

            AsciiString continued = TraceParent.unsampled(VALID);
            assertThat(TraceParent.isValid(continued.toString())).isTrue();
            assertThat(TraceParent.traceIdOf(continued).toString()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(TraceParent.spanId(continued.toString())).isNotEqualTo("00f067aa0ba902b7");
            assertThat(continued.toString()).endsWith("-00");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", // too short
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // unknown version
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // zero trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // zero span id
            "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01", // bad separator
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", // not hex
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-", // too long
    })
    void malformedHeadersAreRejected(String value) {
        assertThat(TraceParent.isValid(value)).isFalse();
        assertThat(TraceParent.traceId(value)).isNull();
    }
}
