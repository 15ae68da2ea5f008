package dev.gatehouse.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.app.demo.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A listener port held by another process: gatehouse serves its other listener, is ready, reports the blocked
 * one as not programmed with the port's error, and binds it once the port is free.
 */
class PortInUseEndToEndTest {
    @TempDir
    Path dir;

    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void theFreeListenerServesAndTheTakenOneIsRetriedUntilItBinds() throws Exception {
        int free = GatewayProcess.freePort();
        try (EchoServer backend = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "backend-a", "default");
             ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int blocked = taken.getLocalPort();
            Configs.write(dir.resolve("gateway.yaml"), Configs.base(free).replace("port: " + free + "}",
                    "port: " + free + "}\n  - {name: second, protocol: HTTP, port: " + blocked + "}")
                    + Configs.service("a", backend.address().getPort()) + Configs.route("a", "v1"));
            // start() returns once /ready answers 200: the free listener alone makes it ready
            try (GatewayProcess gateway = GatewayProcess.start(dir, "-Xmx256m")) {
                assertThat(get(URI.create("http://127.0.0.1:" + free + "/x")).statusCode()).isEqualTo(200);
                JsonNode second = programmed(gateway, "second");
                assertThat(second.path("status").asText()).isEqualTo("False");
                assertThat(second.path("message").asText()).contains("port " + blocked + " on 127.0.0.1: Address already in use");
                assertThat(gateway.log()).contains("cannot bind port " + blocked + " on 127.0.0.1: Address already in use");

                taken.close();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                        assertThat(programmed(gateway, "second").path("status").asText()).isEqualTo("True"));
                assertThat(get(URI.create("http://127.0.0.1:" + blocked + "/x")).statusCode()).isEqualTo(200);
                assertThat(gateway.log()).contains("port " + blocked + ": listening on");
            }
        }
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode programmed(GatewayProcess gateway, String listener) throws Exception {
        JsonNode status = new ObjectMapper().readTree(get(gateway.admin("/status")).body());
        for (JsonNode r : status.path("resources")) {
            for (JsonNode l : r.path("listeners")) {
                if (l.path("name").asText().equals(listener)) {
                    for (JsonNode c : l.path("conditions")) {
                        if (c.path("type").asText().equals("Programmed")) {
                            return c;
                        }
                    }
                }
            }
        }
        throw new AssertionError("no Programmed condition of listener " + listener + " in " + status);
    }
}
