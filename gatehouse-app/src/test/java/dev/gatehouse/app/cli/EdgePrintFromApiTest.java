package dev.gatehouse.app.cli;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code gatehouse edge --kubeconfig --service --print-haproxy|--print-nginx}: the config for the Ready, schedulable
 * Nodes and the Service's NodePorts of the API. An API server per test, each test starting from an empty one: emptying
 * a shared one (DELETE of every Node) right after a test's informers closed their watches hung the mock server for
 * the client's 10 s timeout in a CI run.
 */
@Timeout(120)
class EdgePrintFromApiTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    KubernetesMockServer server;
    KubernetesClient client;

    @BeforeEach
    void apiServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stopApiServer() {
        client.close();
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            // fabric8's mock server waits 10 s for its connections after `edge --print-* --kubeconfig` closed its
            // informers and client, and gives up (seen in CI, on a quiet machine too): the command's process
            // would exit right there, so what is tested is the printed config; the server's threads are daemons
            System.err.println("mock API server: " + e.getMessage());
        }
    }

    @TempDir
    Path dir;

    private static int run(String... args) {
        return EdgePrintTest.run(args);
    }

    @Test
    void haproxyForTheReadySchedulableNodesOfTheApi() throws Exception {
        node("node-a", "10.0.0.11", false);
        node("node-b", "10.0.0.12", true);
        node("node-c", "10.0.0.13", false);
        client.services().resource(new ServiceBuilder().withNewMetadata().withNamespace("gatehouse-system")
                .withName("gatehouse").endMetadata().withNewSpec().withType("NodePort").addNewPort().withPort(443)
                .withNodePort(30443).withProtocol("TCP").endPort().endSpec().build()).create();
        assertThat(run("edge", "--listen", "0.0.0.0:443", "--kubeconfig", kubeconfig().toString(), "--service",
                "gatehouse-system/gatehouse", "--health-check", "http:/ready", "--print-haproxy"))
                .as("stderr: %s", console.err()).isZero();
        assertThat(console.out()).as("the config alone: logs go to stderr").startsWith("# gatehouse edge --print-haproxy")
                .contains("    balance leastconn\n    option httpchk\n")
                .contains("    default-server check inter 2s fall 2 rise 2 port 30443 send-proxy-v2 check-send-proxy\n"
                        + "    server node-a 10.0.0.11:30443\n    server node-c 10.0.0.13:30443\n")
                .doesNotContain("node-b");
    }

    @Test
    void whatCannotBePrintedFailsInOneLine() throws Exception {
        node("node-a", "10.0.0.11", true);
        assertThat(run("edge", "--listen", "0.0.0.0:443", "--kubeconfig", kubeconfig().toString(), "--service",
                "gatehouse-system/gatehouse", "--print-nginx")).isEqualTo(1);
        assertThat(console.err()).contains("gatehouse: no nodes to balance over (none given, or none Ready and "
                + "schedulable)");
    }

    private Path kubeconfig() throws Exception {
        return Files.writeString(dir.resolve("edge.kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s"}}]
                contexts: [{name: mock, context: {cluster: mock, user: edge}}]
                current-context: mock
                users: [{name: edge, user: {token: edge}}]
                """.formatted(client.getMasterUrl()));
    }

    private void node(String name, String ip, boolean cordoned) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withUnschedulable(cordoned).endSpec().withNewStatus().addNewAddress().withType("InternalIP")
                .withAddress(ip).endAddress().addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus().build()).create();
    }
}
