package dev.gatehouse.routing.explain;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Explain normalises the path as the frontend does, so it cannot say "proxied" where the gateway denies or refuses. */
class ExplainNormalisationTest {
    @Test
    void explainsTheNormalisedPath() {
        ExplainRequest r = ExplainRequest.parse("GET", "http://a:8080/x/../%61dmin;p/?q=1", List.of());
        assertThat(r.path()).isEqualTo("/admin;p/");
        assertThat(r.toExchange().path()).as("routing view").isEqualTo("/admin/");
        assertThat(r.toExchange().request().uri()).isEqualTo("/admin;p/?q=1");
    }

    @Test
    void aPathTheGatewayRefusesIsAnError() {
        assertThatThrownBy(() -> ExplainRequest.parse("GET", "http://a/x/..;/admin", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("400");
    }
}
