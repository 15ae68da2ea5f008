package dev.gatehouse.routing.explain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin endpoint serializes explanations with a plain Jackson ObjectMapper; no annotations needed. */
class ExplanationJsonTest {

    @Test
    void serializesWithAPlainObjectMapper() throws Exception {
        Explanation e = RouteExplainer.explain(ShopSnapshot.runtime(),
                ExplainRequest.parse("GET", "http://shop.example.com/v1/cart", List.of("x-env: staging")));
        ObjectMapper mapper = new ObjectMapper();
        JsonNode json = mapper.readTree(mapper.writeValueAsString(e));
        assertThat(json.at("/request/host").asText()).isEqualTo("shop.example.com");
        assertThat(json.at("/listeners/0/chosen").asBoolean()).isTrue();
        assertThat(json.at("/rules/4/verdict").asText()).isEqualTo("MATCHED");
        assertThat(json.at("/rules/0/reason").asText()).isEqualTo("path /v1/cart does not match Exact /old");
        assertThat(json.at("/matchedRule/name").asText()).isEqualTo("shop");
        assertThat(json.at("/backends/0/sharePercent").asDouble()).isEqualTo(75.0);
        assertThat(json.at("/backends/0/algorithm").asText()).isEqualTo("RoundRobin");
        assertThat(json.at("/outcome/kind").asText()).isEqualTo("PROXIED");
        assertThat(json.has("toExchange")).isFalse();
        assertThat(mapper.treeToValue(json.get("outcome"), Explanation.Outcome.class)).isEqualTo(e.outcome());
    }
}
