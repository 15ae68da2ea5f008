package dev.gatehouse.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.app.demo.EchoServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real jars in controller mode against fabric8's mock API server: two replicas elect one status writer and the
 * other takes over when the leader's process is killed; and a change from the API leaves established
 * connections (a WebSocket) alone.
 */
@Timeout(180)
class ControllerProcessesEndToEndTest {
    /** KubernetesSettings' default lease duration: the time a killed leader's Lease takes to expire */
    private static final Duration LEASE = Duration.ofSeconds(15);
    private static final String LEASE_NAME = "gatehouse-controller";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();
    private KubernetesMockServer api;
    private KubernetesClient client;
    private Path kubeconfig;

    @BeforeEach
    void startApi() throws Exception {
        api = MockApi.start();
        client = api.createClient();
        MockApi.installGatewayApiCrds(client);
        kubeconfig = MockApi.kubeconfig(client);
        files.add(kubeconfig);
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        client.close();
        api.destroy();
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
    }

    @Test
    void oneOfTwoProcessesWritesStatusAndTheOtherTakesOverWhenItIsKilled() throws Exception {
        try (EchoServer pod = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "pod-a", "default")) {
            int port = GatewayProcess.freePort();
            create(Configs.base(port) + Configs.service("echo", pod.address().getPort()) + Configs.route("echo", "1"));
            Replica first = start("127.0.0.1");
            String firstId = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> first.source().path("leading").asBoolean() ? first.source().path("identity").asText()
                            : null, id -> id != null);
            // the second serves too (every replica does) but follows
            Replica second = start("127.0.0.2");
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                assertThat(get("127.0.0.2", port)).contains("\"pod\":\"pod-a\"");
                JsonNode source = second.source();
                assertThat(source.path("leading").asBoolean()).isFalse();
                assertThat(source.path("leader").asText()).isEqualTo(firstId);
            });
            String secondId = second.source().path("identity").asText();
            assertThat(holder()).isEqualTo(firstId);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(observedGenerations()).isNotEmpty().containsOnly(1L));
            // one writer: nothing rewrites the route's status once it is written (two writers would take turns)
            String version = route().getMetadata().getResourceVersion();
            Thread.sleep(3_000);
            assertThat(route().getMetadata().getResourceVersion()).isEqualTo(version);
            assertThat(route().getStatus().getParents()).hasSize(1);

            first.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long killed = System.nanoTime();
            client.resources(HTTPRoute.class).inNamespace("default").withName("all").edit(r -> {
                r.getSpec().getRules().get(0).getFilters().get(0).getRequestHeaderModifier().getSet().get(0).setValue("2");
                return r;
            });
            // the Lease expires after its duration; the follower then leads and writes the route's new status
            await().atMost(LEASE.plusSeconds(45)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .untilAsserted(() -> {
                        assertThat(holder()).isEqualTo(secondId);
                        assertThat(second.source().path("leading").asBoolean()).isTrue();
                    });
            Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
            assertThat(takeover).as("takeover after the leader was killed").isLessThan(LEASE.plusSeconds(30));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(observedGenerations()).containsOnly(2L));
            assertThat(get("127.0.0.2", port)).contains("\"x-config-version\":\"2\"");
            assertThat(Files.readString(second.log)).contains("leader is " + firstId, "leader (" + secondId);
        }
    }

    @Test
    void aWebSocketSurvivesARouteAndAnEndpointSliceChangeFromTheApi() throws Exception {
        try (WebSocketEcho backend = new WebSocketEcho("127.0.0.1", "127.0.0.2")) {
            int port = GatewayProcess.freePort();
            create(Configs.base(port) + Configs.service("ws", backend.port()) + Configs.route("ws", "1"));
            Replica gateway = start("127.0.0.1");
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                    assertThat(gateway.source().path("leading").asBoolean()).isTrue());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(observedGenerations()).isNotEmpty().containsOnly(1L));
            LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
            WebSocket ws = WebSockets.open(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + port + "/ws"),
                    received);
            ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: hello");

            client.resources(HTTPRoute.class).inNamespace("default").withName("all").edit(r -> {
                r.getSpec().getRules().get(0).getFilters().get(0).getRequestHeaderModifier().getSet().get(0).setValue("2");
                return r;
            });
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(observedGenerations()).containsOnly(2L));
            ws.sendText("after the route change", true).get(5, TimeUnit.SECONDS);
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: after the route change");

            int served = gateway.generationsServed();
            client.resources(EndpointSlice.class).inNamespace("default").withName("ws-1").edit(s -> {
                s.getEndpoints().add(new EndpointBuilder().withAddresses("127.0.0.2").build());
                return s;
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.generationsServed() > served);
            ws.sendText("after the endpoint change", true).get(5, TimeUnit.SECONDS);
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: after the endpoint change");
            // and the connection was never replaced: a new one works too, through the new config
            LinkedBlockingQueue<String> second = new LinkedBlockingQueue<>();
            WebSocket ws2 = WebSockets.open(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + port + "/ws"),
                    second);
            ws2.sendText("new", true).get(5, TimeUnit.SECONDS);
            assertThat(second.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: new");
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            ws2.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            assertThat(received).isEmpty();
        }
    }

    @Test
    void aRouteTheTranslatorRefusesIsLeftOutAndReportedWhileOtherChangesApply() throws Exception {
        try (EchoServer pod = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "pod-a", "default")) {
            int port = GatewayProcess.freePort();
            create(Configs.base(port) + Configs.service("echo", pod.address().getPort()) + Configs.route("echo", "1")
                    + """
                    ---
                    apiVersion: gateway.networking.k8s.io/v1
                    kind: HTTPRoute
                    metadata: {name: refused, namespace: default}
                    spec:
                      parentRefs: [{name: edge}]
                      hostnames: [refused.example.com]
                      rules:
                      - matches: [{path: {type: PathPrefix, value: /x/..}}]
                        backendRefs: [{name: echo, port: 80}]
                    """);
            Replica gateway = start("127.0.0.1");
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                    assertThat(get("127.0.0.1", port)).contains("\"x-config-version\":\"1\""));
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                Condition accepted = client.resources(HTTPRoute.class).inNamespace("default").withName("refused").get()
                        .getStatus().getParents().get(0).getConditions().get(0);
                assertThat(accepted.getType()).isEqualTo("Accepted");
                assertThat(accepted.getStatus()).isEqualTo("False");
                assertThat(accepted.getReason()).isEqualTo("UnsupportedValue");
                assertThat(accepted.getMessage()).startsWith("spec.rules[0].matches[0].path.value: ");
            });
            client.resources(HTTPRoute.class).inNamespace("default").withName("all").edit(r -> {
                r.getSpec().getRules().get(0).getFilters().get(0).getRequestHeaderModifier().getSet().get(0).setValue("2");
                return r;
            });
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                    assertThat(get("127.0.0.1", port)).contains("\"x-config-version\":\"2\""));
            // reloaded since, and the refusal is in the log once
            assertThat(gateway.generationsServed()).isGreaterThan(1);
            assertThat(Files.readString(gateway.log).split("HTTPRoute default/refused: left out of the config", -1))
                    .as(Files.readString(gateway.log)).hasSize(2);
        }
    }

    /** One {@code run --kubeconfig} process, its listeners on {@code bind}, its admin API on a port of its own. */
    private final class Replica {
        final Process process;
        final Path log;
        final int admin;

        Replica(Process process, Path log, int admin) {
            this.process = process;
            this.log = log;
            this.admin = admin;
        }

        JsonNode source() throws Exception {
            assertThat(process.isAlive()).as(Files.readString(log)).isTrue();
            return new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + admin + "/source")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        }

        int generationsServed() throws Exception {
            return Files.readString(log).split("serving config generation", -1).length - 1;
        }
    }

    private Replica start(String bind) throws Exception {
        Path log = Files.createTempFile("gatehouse-e2e", ".log");
        files.add(log);
        int admin = GatewayProcess.freePort();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", GatewayProcess.JAR.toString(), "run", "--kubeconfig", kubeconfig.toString(),
                "--bind", bind, "--admin", "127.0.0.1:" + admin, "--gateway-addresses", "203.0.113.7")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return new Replica(p, log, admin);
    }

    private void create(String yaml) {
        for (String doc : yaml.split("\n---\n")) {
            if (!doc.isBlank()) {
                client.resource(doc).create();
            }
        }
    }

    private String get(String host, int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/hello")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private HTTPRoute route() {
        return client.resources(HTTPRoute.class).inNamespace("default").withName("all").get();
    }

    /** The observedGeneration of every condition we wrote on the route. */
    private List<Long> observedGenerations() {
        HTTPRoute route = route();
        return route.getStatus() == null ? List.of() : route.getStatus().getParents().stream().flatMap(p -> p.getConditions().stream())
                .map(Condition::getObservedGeneration).toList();
    }

    private String holder() {
        Lease lease = client.leases().inNamespace("default").withName(LEASE_NAME).get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }
}
