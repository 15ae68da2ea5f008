package dev.gatehouse.edge.discovery;

import dev.gatehouse.edge.pool.EdgeNode;
import dev.gatehouse.edge.pool.NodeSet;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Against fabric8's mock API server in CRUD mode: what the API says, the source hands on, and follows. */
@Timeout(120)
@EnableKubernetesMockClient(crud = true)
class KubernetesNodeSourceTest {
    /**
     * An API server per test, each starting empty: emptying a shared one (DELETE of every Node) right after a test's
     * informers closed their watches hung fabric8's mock server for the client's 10 s timeout in a CI run.
     */
    KubernetesMockServer server;
    KubernetesClient client;

    private final List<NodeSet> seen = new CopyOnWriteArrayList<>();

    private NodeSet latest() {
        return seen.isEmpty() ? null : seen.get(seen.size() - 1);
    }

    private static EdgeNode n(String name, String address) {
        return new EdgeNode(name, address);
    }

    @Test
    void readySchedulableNodesAndTheServicesNodePortsFollowedWithoutRestart() {
        KubeNodes.node(client, "node-a", "10.0.0.11", "203.0.113.11");
        KubeNodes.node(client, "node-b", "10.0.0.12", "203.0.113.12");
        KubeNodes.service(client, "gatehouse-system", "gatehouse", 80, 30080, 443, 30443);
        KubeNodes.service(client, "gatehouse-system", "other", 80, 31080);
        try (KubernetesNodeSource source = new KubernetesNodeSource(client, "gatehouse-system/gatehouse", false)) {
            source.start(seen::add);
            assertThat(seen).as("the whole set is handed on at start").hasSize(1);
            assertThat(latest()).isEqualTo(new NodeSet(List.of(n("node-a", "10.0.0.11"), n("node-b", "10.0.0.12")),
                    Map.of(80, 30080, 443, 30443)));

            KubeNodes.cordon(client, "node-a");
            await().atMost(Duration.ofSeconds(30)).until(() -> latest().nodes().equals(List.of(n("node-b", "10.0.0.12"))));

            KubeNodes.node(client, "node-c", "10.0.0.13", "203.0.113.13");
            await().atMost(Duration.ofSeconds(30)).until(() -> latest().nodes().equals(
                    List.of(n("node-b", "10.0.0.12"), n("node-c", "10.0.0.13"))));

            KubeNodes.ready(client, "node-b", false);
            await().atMost(Duration.ofSeconds(30)).until(() -> latest().nodes().equals(List.of(n("node-c", "10.0.0.13"))));

            client.services().inNamespace("gatehouse-system").withName("gatehouse").edit(s -> new ServiceBuilder(s)
                    .editSpec().editFirstPort().withNodePort(32080).endPort().endSpec().build());
            await().atMost(Duration.ofSeconds(30)).until(() -> latest().nodePorts().equals(Map.of(80, 32080, 443, 30443)));

            int before = seen.size();
            // a heartbeat: the Node changes, what it contributes does not
            client.nodes().withName("node-c").edit(node -> {
                node.getMetadata().setLabels(Map.of("heartbeat", "1"));
                return node;
            });
            KubeNodes.ready(client, "node-b", true);
            await().atMost(Duration.ofSeconds(30)).until(() -> latest().nodes().size() == 2);
            assertThat(seen).hasSize(before + 1);

            client.nodes().withName("node-c").delete();
            await().atMost(Duration.ofSeconds(30)).until(() -> latest().nodes().equals(List.of(n("node-b", "10.0.0.12"))));
        }
    }

    @Test
    void externalAddressesAndAMissingServiceIsNoPortsUntilItAppears() {
        KubeNodes.node(client, "node-a", "10.0.0.11", "203.0.113.11");
        try (KubernetesNodeSource source = new KubernetesNodeSource(client, "gatehouse-system/gatehouse", true)) {
            source.start(seen::add);
            assertThat(latest()).isEqualTo(new NodeSet(List.of(n("node-a", "203.0.113.11")), Map.of()));
            KubeNodes.service(client, "gatehouse-system", "gatehouse", 443, 30443);
            await().atMost(Duration.ofSeconds(30)).until(() -> latest().nodePorts().equals(Map.of(443, 30443)));
        }
    }

    @Test
    void aServiceThatIsNotNamespaceSlashNameIsRefusedNamingTheFlag() {
        assertThatThrownBy(() -> new KubernetesNodeSource(client, "gatehouse", false))
                .hasMessage("--service must be NAMESPACE/NAME (e.g. gatehouse-system/gatehouse), got 'gatehouse'");
        assertThatThrownBy(() -> new KubernetesNodeSource(client, "a/b/c", false)).hasMessageContaining("'a/b/c'");
    }
}
