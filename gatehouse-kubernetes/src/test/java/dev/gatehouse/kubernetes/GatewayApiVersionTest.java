package dev.gatehouse.kubernetes;

import dev.gatehouse.translate.Condition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class GatewayApiVersionTest {
    @ParameterizedTest
    @CsvSource({
            "v1.6.1, True, SupportedVersion",
            "v1.5.0, True, SupportedVersion",
            "v1.5.0-rc.1, True, SupportedVersion",
            "v2.0.0, True, SupportedVersion",
            "v0.0.0-dev, True, SupportedVersion",
            "v1.4.1, False, UnsupportedVersion",
            "v1.2.0, False, UnsupportedVersion",
            "v0.0.0, False, UnsupportedVersion",
            "banana, False, UnsupportedVersion",
    })
    void aReleaseFromV15OnIsSupported(String bundle, String status, String reason) {
        Condition c = GatewayApiVersion.of(bundle);
        assertThat(c.type()).isEqualTo("SupportedVersion");
        assertThat(c.status()).isEqualTo(status);
        assertThat(c.reason()).isEqualTo(reason);
        assertThat(c.message()).contains(bundle);
    }

    @org.junit.jupiter.api.Test
    void aCrdWithoutTheAnnotationIsNotClaimedSupported() {
        Condition c = GatewayApiVersion.of(null);
        assertThat(c.status()).isEqualTo("False");
        assertThat(c.message()).contains("bundle-version", "v1.5.0");
    }
}
