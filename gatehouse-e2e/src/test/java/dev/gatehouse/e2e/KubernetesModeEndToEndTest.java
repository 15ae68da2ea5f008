package dev.gatehouse.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.app.demo.EchoServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real jar in controller mode: {@code run --kubeconfig FILE} against fabric8's mock API server (CRUD mode, the
 * real Gateway API CRDs) serves what is applied there and writes the Gateway's status; SIGTERM stops it with 0.
 * This is what the in-process tests cannot show: the shaded jar's Kubernetes client works.
 */
@Timeout(120)
class KubernetesModeEndToEndTest {
    @Test
    void theJarServesWhatTheApiHoldsAndWritesStatus() throws Exception {
        KubernetesMockServer api = MockApi.start();
        Path kubeconfig = null;
        Path log = Files.createTempFile("gatehouse-e2e", ".log");
        Process gatehouse = null;
        try (KubernetesClient client = api.createClient();
             EchoServer pod = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "pod-a", "default")) {
            assertThat(MockApi.GATEWAY_API_CRDS).as("upstream's Gateway API CRDs beside the repository").isDirectory();
            MockApi.installGatewayApiCrds(client);
            int port = GatewayProcess.freePort();
            String resources = Configs.base(port) + Configs.service("echo", pod.address().getPort())
                    + Configs.route("echo", "1");
            for (String doc : resources.split("\n---\n")) {
                client.resource(doc).create();
            }
            kubeconfig = MockApi.kubeconfig(client);

            int admin = GatewayProcess.freePort();
            gatehouse = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", GatewayProcess.JAR.toString(), "run", "--kubeconfig", kubeconfig.toString(),
                    "--bind", "127.0.0.1", "--admin", "127.0.0.1:" + admin, "--gateway-addresses", "203.0.113.7")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            Process running = gatehouse;
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .untilAsserted(() -> {
                        assertThat(running.isAlive()).as(Files.readString(log)).isTrue();
                        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello"))
                                .build(), HttpResponse.BodyHandlers.ofString()).body()).contains("\"pod\":\"pod-a\"");
                    });
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Gateway gw = client.resources(Gateway.class).inNamespace("default").withName("edge").get();
                assertThat(gw.getStatus().getConditions()).extracting(Condition::getType, Condition::getStatus)
                        .contains(org.assertj.core.groups.Tuple.tuple("Programmed", "True"));
                assertThat(gw.getStatus().getAddresses()).extracting(a -> a.getValue()).isEqualTo(List.of("203.0.113.7"));
            });

            // the admin API says where the config comes from: this replica leads, and what it watches
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                JsonNode source = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + admin + "/source")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                assertThat(source.path("mode").asText()).isEqualTo("kubernetes");
                assertThat(source.path("leading").asBoolean()).isTrue();
                assertThat(source.path("leader").asText()).isEqualTo(source.path("identity").asText());
                assertThat(source.path("lastChange").asText()).isNotEmpty();
                Map<String, Integer> counts = new HashMap<>();
                source.path("kinds").forEach(k -> counts.put(k.path("kind").asText(), k.path("count").asInt()));
                assertThat(counts).containsEntry("Gateway", 1).containsEntry("HTTPRoute", 1)
                        .containsEntry("GatewayClass", 1);
            });

            // doctor and explain against the controller: its live config, through the admin API
            CommandLineEndToEndTest.Run doctor = CommandLineEndToEndTest.gatehouse("doctor", "--admin",
                    "127.0.0.1:" + admin);
            assertThat(doctor.exit()).as(doctor.output()).isZero();
            CommandLineEndToEndTest.Run explain = CommandLineEndToEndTest.gatehouse("explain", "--admin",
                    "127.0.0.1:" + admin, "--url", "http://echo.example.com:" + port + "/hello");
            assertThat(explain.exit()).as(explain.output()).isZero();
            assertThat(explain.output()).contains("MATCHED HTTPRoute default/all");

            gatehouse.destroy(); // SIGTERM
            assertThat(gatehouse.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
            assertThat(gatehouse.exitValue()).as(Files.readString(log)).isZero();
            assertThat(Files.readString(log)).contains("watching", "leader");
        } finally {
            if (gatehouse != null && gatehouse.isAlive()) {
                gatehouse.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            api.destroy();
            if (kubeconfig != null) {
                Files.deleteIfExists(kubeconfig);
            }
            Files.deleteIfExists(log);
        }
    }
}
