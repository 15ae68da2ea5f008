package dev.gatehouse.e2e;

import dev.gatehouse.app.demo.EchoServer;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code gatehouse edge --kubeconfig --service} as a user runs it: the jar in its own JVM, its nodes and NodePort
 * from the mock API server, in front of three echo "nodes" at 127.0.0.2-4 on one NodePort. A node cordoned leaves
 * the traffic, one added joins it, no request fails, the edge is not restarted.
 */
@Timeout(240)
class EdgeKubernetesEndToEndTest {
    private static final int BATCH = 12;

    @TempDir
    Path dir;

    private final List<EchoServer> nodes = new ArrayList<>();
    private KubernetesMockServer api;
    private KubernetesClient client;
    private Process edge;
    private int failed;

    @AfterEach
    void stop() throws Exception {
        if (edge != null) {
            edge.destroy();
            if (!edge.waitFor(15, TimeUnit.SECONDS)) {
                edge.destroyForcibly();
            }
        }
        for (EchoServer n : nodes) {
            n.close();
        }
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.destroy();
        }
    }

    @Test
    void aCordonedNodeLeavesAndAnAddedOneJoinsWithoutARestart() throws Exception {
        int nodePort = echoNodesOnOnePort();
        api = MockApi.start();
        client = api.createClient();
        node("node-a", "127.0.0.2");
        node("node-b", "127.0.0.3");
        int listen = GatewayProcess.freePort();
        int admin = GatewayProcess.freePort();
        client.services().resource(new ServiceBuilder().withNewMetadata().withNamespace("gatehouse-system")
                .withName("gatehouse").endMetadata().withNewSpec().withType("NodePort").addNewPort().withName("http")
                .withProtocol("TCP").withPort(listen).withNodePort(nodePort).endPort().endSpec().build()).create();
        Path kubeconfig = MockApi.kubeconfig(client);
        Path log = dir.resolve("edge.log");
        try {
            edge = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-jar", GatewayProcess.JAR.toString(), "edge", "--listen", "127.0.0.1:" + listen,
                    "--kubeconfig", kubeconfig.toString(), "--service", "gatehouse-system/gatehouse",
                    "--balance", "round-robin", "--proxy-protocol", "off", "--health-interval", "200ms",
                    "--health-timeout", "500ms", "--admin", "127.0.0.1:" + admin))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            InetSocketAddress through = new InetSocketAddress("127.0.0.1", listen);

            URI ready = URI.create("http://127.0.0.1:" + admin + "/ready");
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> http.send(
                    HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            await().atMost(Duration.ofSeconds(60)).until(() -> batch(through).equals(Set.of("node-a", "node-b")));
            client.nodes().withName("node-a").edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(true)
                    .endSpec().build());
            await().atMost(Duration.ofSeconds(60)).until(() -> batch(through).equals(Set.of("node-b")));
            node("node-c", "127.0.0.4");
            await().atMost(Duration.ofSeconds(60)).until(() -> batch(through).equals(Set.of("node-b", "node-c")));

            assertThat(failed).as("requests that failed through the edge").isZero();
            String nodesJson = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/nodes"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(nodesJson).contains("\"name\" : \"node-b\"", "\"name\" : \"node-c\"")
                    .doesNotContain("node-a");
            assertThat(edge.isAlive()).isTrue();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("edge log:\n" + (Files.exists(log) ? Files.readString(log) : "(none)"), e);
        }
    }

    /** A bounded batch of requests through the edge, a connection each: which echo nodes answered them. */
    private Set<String> batch(InetSocketAddress through) {
        Set<String> names = new TreeSet<>();
        for (int i = 0; i < BATCH; i++) {
            try (Socket s = new Socket()) {
                s.connect(through, 5_000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: echo\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                for (String n : List.of("node-a", "node-b", "node-c")) {
                    if (response.startsWith("HTTP/1.1 200 ") && response.contains("\"" + n + "\"")) {
                        names.add(n);
                    }
                }
            } catch (IOException e) {
                failed++;
            }
        }
        return names;
    }

    private void node(String name, String internalIp) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .endSpec().withNewStatus().addNewAddress().withType("InternalIP").withAddress(internalIp).endAddress()
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build()).create();
    }

    /** Echo "nodes" at 127.0.0.2, .3 and .4, all on one port (a NodePort is the same on every node). */
    private int echoNodesOnOnePort() throws Exception {
        for (int attempt = 0; attempt < 20; attempt++) {
            for (EchoServer n : nodes) {
                n.close();
            }
            nodes.clear();
            try {
                EchoServer a = new EchoServer(new InetSocketAddress("127.0.0.2", 0), "node-a", "default");
                nodes.add(a);
                int port = a.address().getPort();
                nodes.add(new EchoServer(new InetSocketAddress("127.0.0.3", port), "node-b", "default"));
                nodes.add(new EchoServer(new InetSocketAddress("127.0.0.4", port), "node-c", "default"));
                return port;
            } catch (Exception taken) {
                // the port is taken on another address: another one
            }
        }
        throw new IllegalStateException("no port free on 127.0.0.2-4");
    }
}
