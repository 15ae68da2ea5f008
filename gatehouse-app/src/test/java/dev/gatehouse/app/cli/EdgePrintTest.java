package dev.gatehouse.app.cli;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code gatehouse edge --print-nginx | --print-haproxy}: the config for the nodes of the flags or of the API, on
 * standard output, exit 0; the edge's other optional flags refused, naming them, before anything starts.
 * (EmittedConfigTest loads such configs in nginx and haproxy.)
 */
@Timeout(120)
@EnableKubernetesMockClient(crud = true, https = false)
class EdgePrintTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    /** One API server for the class: its shutdown can time out on a busy machine, so it is done once, not per test. */
    static KubernetesMockServer server;
    static KubernetesClient client;

    @BeforeEach
    void noNodes() {
        client.nodes().delete();
        client.services().inAnyNamespace().delete();
    }

    @TempDir
    Path dir;

    private static int run(String... args) {
        return new CommandLine(new GatehouseCommand()).setExecutionExceptionHandler(StartupFailure.HANDLER)
                .execute(args);
    }

    @Test
    void nginxForTheNodesOfTheFlags() {
        assertThat(run("edge", "--listen", "0.0.0.0:80", "--listen", "0.0.0.0:443", "--nodes",
                "10.0.0.11,10.0.0.12", "--node-port", "80=30080", "--node-port", "443=30443", "--balance",
                "round-robin", "--print-nginx")).isZero();
        assertThat(console.out()).contains("stream {\n    upstream gatehouse_edge_80 {\n"
                        + "        server 10.0.0.11:30080 max_fails=2 fail_timeout=4s;\n")
                .contains("listen 0.0.0.0:443;\n        proxy_pass gatehouse_edge_443;\n        proxy_protocol on;\n")
                .doesNotContain("least_conn");
    }

    @Test
    void whatAStreamProxyCannotDoIsLeftOutAndSaid() {
        assertThat(run("edge", "--listen", "0.0.0.0:80", "--listen", "0.0.0.0:443", "--nodes", "10.0.0.11",
                "--node-port", "443=30443", "--redirect-http", "--allow-hosts", "a.example.com", "--print-haproxy"))
                .isZero();
        assertThat(console.out()).contains("frontend gatehouse_edge_443").doesNotContain("gatehouse_edge_80");
        assertThat(console.err()).contains("gatehouse: --redirect-http is not in the printed config: port 80 is left out",
                "gatehouse: --allow-hosts is not in the printed config: every host is relayed");
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

    @Test
    void whatCannotBePrintedFailsInOneLine() throws Exception {
        node("node-a", "10.0.0.11", true);
        assertThat(run("edge", "--listen", "0.0.0.0:443", "--kubeconfig", kubeconfig().toString(), "--service",
                "gatehouse-system/gatehouse", "--print-nginx")).isEqualTo(1);
        assertThat(console.err()).contains("gatehouse: no nodes to balance over (none given, or none Ready and "
                + "schedulable)");
    }

    @Test
    void badGateAndDiscoveryFlagsAreUsageErrorsNamingTheFlag() {
        assertThat(run("edge", "--listen", "0.0.0.0:443", "--nodes", "10.0.0.11", "--node-port", "443=30443",
                "--allow-hosts", "a.example.com,a.*.example.com")).isEqualTo(2);
        assertThat(console.err()).contains("--allow-hosts: 'a.*.example.com' is not a host name or a leading wildcard");
        assertThat(run("edge", "--listen", "0.0.0.0:443", "--nodes", "10.0.0.11", "--node-port", "443=30443",
                "--redirect-http")).isEqualTo(2);
        assertThat(console.err()).contains("--redirect-http answers on the --listen of port 80, and there is none");
        assertThat(run("edge", "--listen", "0.0.0.0:443", "--kubeconfig", "edge.kubeconfig")).isEqualTo(2);
        assertThat(console.err()).contains("--kubeconfig and --service go together");
        assertThat(run("edge", "--listen", "0.0.0.0:443", "--kubeconfig", "no/such/kubeconfig", "--service",
                "gatehouse-system/gatehouse", "--print-nginx")).isEqualTo(2);
        assertThat(console.err()).contains("gatehouse: --kubeconfig: no/such/kubeconfig cannot be read");
    }

    private void node(String name, String ip, boolean cordoned) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withUnschedulable(cordoned).endSpec().withNewStatus().addNewAddress().withType("InternalIP")
                .withAddress(ip).endAddress().addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus().build()).create();
    }
}
