package dev.gatehouse.proxy.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.proxy.observe.accesslog.AccessLog;
import dev.gatehouse.proxy.observe.accesslog.AccessLogField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class AccessLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static RequestLog request(String path, int status, String id) {
        RequestLog log = new RequestLog(1_000_000L, 1_700_000_000_123L, "GET", path, "HTTP/1.1",
                new InetSocketAddress("127.0.0.1", 40000), 8080);
        log.host("shop.example.com");
        log.requestId(id);
        log.status(status);
        log.addResponseBytes(42);
        log.upstreamStart(1_500_000L);
        log.upstreamEnd(3_500_000L);
        log.complete(4_000_000L);
        return log;
    }

    private List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    @Test
    void writesOneJsonObjectPerRequestWithEscapedClientData() throws Exception {
        Path file = dir.resolve("a/access.log");
        try (AccessLog log = AccessLog.toFile(file, AccessLogField.parse("all"), 1.0)) {
            log.onComplete(request("/p?q=\"quoted\"\n\u0001", 200, "id-1"));
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(file) && !Files.readAllLines(file).isEmpty());
        }
        JsonNode n = lines(file).get(0);
        assertThat(n.path("time").asText()).isEqualTo("2023-11-14T22:13:20.123Z");
        assertThat(n.path("request_id").asText()).isEqualTo("id-1");
        assertThat(n.path("client").asText()).isEqualTo("127.0.0.1:40000");
        assertThat(n.path("path").asText()).isEqualTo("/p?q=\"quoted\"\n\u0001");
        assertThat(n.path("status").asInt()).isEqualTo(200);
        assertThat(n.path("bytes_out").asLong()).isEqualTo(42);
        assertThat(n.path("duration_ms").asDouble()).isEqualTo(3.0);
        assertThat(n.path("upstream_ms").asDouble()).isEqualTo(2.0);
        assertThat(n.path("gateway_ms").asDouble()).isEqualTo(1.0);
        assertThat(n.path("route").isNull()).isTrue();
    }

    @Test
    void chosenFieldsOnlyAndSamplingKeepsEvery5xx() throws Exception {
        Path file = dir.resolve("sampled.log");
        try (AccessLog log = AccessLog.toFile(file, AccessLogField.parse("request_id,status"), 0.0)) {
            for (int i = 0; i < 50; i++) {
                log.onComplete(request("/", 200, "ok-" + i));
            }
            log.onComplete(request("/", 503, "err"));
        }
        List<JsonNode> all = lines(file);
        assertThat(all).hasSize(1);
        assertThat(all.get(0).fieldNames()).toIterable().containsExactly("request_id", "status");
        assertThat(all.get(0).path("request_id").asText()).isEqualTo("err");
    }

    @Test
    void unknownFieldsAndRatiosAreRefused() {
        assertThatThrownBy(() -> AccessLogField.parse("time,bogus")).hasMessageContaining("bogus").hasMessageContaining("request_id");
        assertThatThrownBy(() -> AccessLog.toFile(dir.resolve("x"), AccessLogField.parse(null), 1.5))
                .hasMessageContaining("0.0..1.0");
    }
}
