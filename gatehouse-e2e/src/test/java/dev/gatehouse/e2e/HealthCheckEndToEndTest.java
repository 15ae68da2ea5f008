package dev.gatehouse.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.app.demo.EchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Active health checks in the real jar: two endpoints of one Service (127.0.0.1 and 127.0.0.2, same port), one
 * stops; the log and {@code /backends} say it is unhealthy and every request keeps succeeding on the other.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HealthCheckEndToEndTest {
    private static final Pattern POD = Pattern.compile("\"pod\"\\s*:\\s*\"([^\"]+)\"");
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    @TempDir
    Path dir;
    private EchoServer first;
    private EchoServer second;
    private GatewayProcess gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
    }

    @Test
    void aStoppedEndpointIsReportedUnhealthyAndRequestsKeepSucceeding() throws Exception {
        first = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "pod-1", "default");
        int backendPort = first.address().getPort();
        second = new EchoServer(new InetSocketAddress("127.0.0.2", backendPort), "pod-2", "default");
        int port = GatewayProcess.freePort();
        Configs.write(dir.resolve("gateway.yaml"), Configs.base(port) + Configs.serviceOnLoopbacks("echo", backendPort, 2)
                + Configs.route("echo", "v1"));
        gateway = GatewayProcess.start(dir, List.of("-Xmx256m"),
                List.of("--health-check-interval", "200ms", "--health-check-timeout", "1s"));

        await().atMost(Duration.ofSeconds(15)).until(() -> "HEALTHY".equals(health("127.0.0.1:" + backendPort))
                && "HEALTHY".equals(health("127.0.0.2:" + backendPort)));
        assertThat(send(port, 10)).isEqualTo(Map.of("200 pod-1", 5, "200 pod-2", 5));

        second.close();
        second = null;
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> "UNHEALTHY".equals(health("127.0.0.2:" + backendPort)));
        assertThat(gateway.log()).contains("endpoint 127.0.0.2:" + backendPort + " of default/echo:80 is now UNHEALTHY: "
                + "connection refused");
        assertThat(gateway.backendEndpoint("127.0.0.2:" + backendPort).path("lastError").asText())
                .isEqualTo("connection refused");
        assertThat(send(port, 20)).isEqualTo(Map.of("200 pod-1", 20));
    }

    private Map<String, Integer> send(int port, int n) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = POD.matcher(r.body());
            counts.merge(r.statusCode() + (m.find() ? " " + m.group(1) : ""), 1, Integer::sum);
        }
        return counts;
    }

    private String health(String address) throws Exception {
        JsonNode e = gateway.backendEndpoint(address);
        return e == null ? null : e.path("health").asText();
    }
}
