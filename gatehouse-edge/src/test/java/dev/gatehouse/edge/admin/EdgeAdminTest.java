package dev.gatehouse.edge.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.edge.EdgeOptions;
import dev.gatehouse.edge.pool.EdgeNode;
import dev.gatehouse.edge.pool.NodePool;
import dev.gatehouse.edge.pool.NodeSet;
import dev.gatehouse.edge.pool.NodeState;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EdgeAdminTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final NodePool pool = new NodePool(EdgeOptions.Balance.LEAST_CONNECTIONS, new EdgeOptions.HealthCheck(
            null, 0, Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 1), registry);
    private boolean listening = true;

    private record Answer(int status, String body) {
    }

    private Answer get(HttpMethod method, String uri) {
        EmbeddedChannel ch = new EmbeddedChannel(new EdgeAdmin(pool, registry, () -> listening));
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
        FullHttpResponse r = ch.readOutbound();
        try {
            return new Answer(r.status().code(), r.content().toString(StandardCharsets.UTF_8));
        } finally {
            r.release();
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void readyWantsListenersAndAHealthyNode() {
        assertThat(get(HttpMethod.GET, "/ready")).isEqualTo(new Answer(503, "no nodes\n"));
        List<NodeState> nodes = pool.update(new NodeSet(List.of(new EdgeNode("a", "10.0.0.11")), Map.of(80, 30080)))
                .nodes();
        assertThat(get(HttpMethod.GET, "/ready")).isEqualTo(new Answer(200, "ready\n"));
        nodes.get(0).checkFailed("connect: refused");
        assertThat(get(HttpMethod.GET, "/ready")).isEqualTo(new Answer(503, "no healthy node\n"));
        listening = false;
        assertThat(get(HttpMethod.GET, "/ready")).isEqualTo(new Answer(503, "not listening\n"));
    }

    @Test
    void nodesSaysEachNodesHealthWhyAndConnections() throws Exception {
        List<NodeState> nodes = pool.update(new NodeSet(List.of(new EdgeNode("a", "10.0.0.11"),
                new EdgeNode("b", "10.0.0.12")), Map.of(80, 30080))).nodes();
        nodes.get(0).opened();
        nodes.get(1).checkFailed("GET /ready: 503");
        JsonNode json = new ObjectMapper().readTree(get(HttpMethod.GET, "/nodes?x=1").body());
        assertThat(json.at("/nodePorts/80").asInt()).isEqualTo(30080);
        assertThat(json.at("/nodes/0/health").asText()).isEqualTo("healthy");
        assertThat(json.at("/nodes/0/openConnections").asInt()).isEqualTo(1);
        assertThat(json.at("/nodes/1/health").asText()).isEqualTo("unhealthy");
        assertThat(json.at("/nodes/1/why").asText()).isEqualTo("GET /ready: 503");
        assertThat(get(HttpMethod.GET, "/metrics").body())
                .contains("gatehouse_edge_node_healthy{node=\"b\"} 0.0")
                .contains("gatehouse_edge_connections_open{node=\"a\"} 1.0");
    }

    @Test
    void onlyGetAndHeadAndKnownPaths() {
        assertThat(get(HttpMethod.POST, "/ready").status()).isEqualTo(405);
        assertThat(get(HttpMethod.GET, "/admin").status()).isEqualTo(404);
        assertThat(get(HttpMethod.HEAD, "/").body()).isEmpty();
    }
}
