package dev.gatehouse.edge.discovery;

import dev.gatehouse.edge.EdgeOptions;
import dev.gatehouse.edge.EdgeServer;
import dev.gatehouse.edge.testing.Loopback;
import dev.gatehouse.edge.testing.RecordingBackend;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15's second "Done means", on loopback: the edge, its nodes and NodePorts from the (mock) API, in front of
 * three real backends, each a "node" at its own 127.0.0.x InternalIP on the Service's NodePort. A node cordoned
 * stops taking connections, one added starts, with no restart and no failed request; every backend is told the
 * real client's address by the PROXY header.
 */
@Timeout(180)
@EnableKubernetesMockClient(crud = true)
class KubernetesDiscoveryThroughTheEdgeTest {
    private static final int BATCH = 12;

    KubernetesMockServer server;
    KubernetesClient client;

    private final List<RecordingBackend> backends = new ArrayList<>();
    private EdgeServer edge;
    private int failed;

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.close();
        }
        backends.forEach(RecordingBackend::close);
    }

    @Test
    void aCordonedNodeLeavesAndAnAddedOneJoinsTheTraffic() throws Exception {
        int nodePort = backendsOnOneNodePort("127.0.0.2", "127.0.0.3", "127.0.0.4");
        int listenPort = Loopback.freePort("127.0.0.1");
        KubeNodes.node(client, "node-a", "127.0.0.2", "192.0.2.2");
        KubeNodes.node(client, "node-b", "127.0.0.3", "192.0.2.3");
        KubeNodes.service(client, "gatehouse-system", "gatehouse", listenPort, nodePort);

        InetSocketAddress listen = new InetSocketAddress("127.0.0.1", listenPort);
        edge = EdgeServer.start(new EdgeOptions(List.of(listen), List.of(), Map.of(), null, null,
                "gatehouse-system/gatehouse", EdgeOptions.NodeAddress.INTERNAL, EdgeOptions.Balance.ROUND_ROBIN,
                EdgeOptions.ProxyProtocol.V2, new EdgeOptions.HealthCheck(null, 0, Duration.ofMillis(500),
                Duration.ofSeconds(1), 1, 2), Duration.ofSeconds(60), Duration.ofSeconds(2), false, List.of(), false,
                false, null, EdgeOptions.Transport.AUTO), new KubernetesNodeSource(client, "gatehouse-system/gatehouse", false));

        await().atMost(Duration.ofSeconds(60)).until(() -> batch(listen).equals(Set.of("node-a", "node-b")));

        KubeNodes.cordon(client, "node-a");
        await().atMost(Duration.ofSeconds(60)).until(() -> batch(listen).equals(Set.of("node-b")));
        int cordonedSeenBefore = backends.get(0).seen.size();
        assertThat(batch(listen)).containsExactly("node-b");
        assertThat(backends.get(0).seen).as("the cordoned node takes no new connection").hasSize(cordonedSeenBefore);

        KubeNodes.node(client, "node-c", "127.0.0.4", "192.0.2.4");
        await().atMost(Duration.ofSeconds(60)).until(() -> batch(listen).equals(Set.of("node-b", "node-c")));

        assertThat(failed).as("requests that failed through the edge").isZero();
        for (RecordingBackend b : backends) {
            assertThat(b.seen).allSatisfy(s -> assertThat(s.proxiedSource()).startsWith("127.0.0.1:"));
        }
    }

    /** A bounded batch of requests through the edge: the names of the backends that answered them. */
    private Set<String> batch(InetSocketAddress edgeAddress) {
        Set<String> names = new TreeSet<>();
        for (int i = 0; i < BATCH; i++) {
            String name = Loopback.get(edgeAddress, "a.example.com");
            if (name == null) {
                failed++;
            } else {
                names.add(name);
            }
        }
        return names;
    }

    /** One backend per address, all on the same port (a NodePort is the same on every node); returns it. */
    private int backendsOnOneNodePort(String... addresses) throws Exception {
        for (int attempt = 0; attempt < 20; attempt++) {
            backends.forEach(RecordingBackend::close);
            backends.clear();
            try {
                RecordingBackend first = RecordingBackend.start("node-a", new InetSocketAddress(addresses[0], 0));
                backends.add(first);
                for (int i = 1; i < addresses.length; i++) {
                    backends.add(RecordingBackend.start("node-" + (char) ('a' + i),
                            new InetSocketAddress(addresses[i], first.port())));
                }
                return first.port();
            } catch (Exception taken) {
                // the port was taken on another address: try another
            }
        }
        throw new IllegalStateException("no port free on all of " + String.join(", ", addresses));
    }
}
