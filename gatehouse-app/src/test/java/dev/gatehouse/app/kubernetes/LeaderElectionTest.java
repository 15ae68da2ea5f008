package dev.gatehouse.app.kubernetes;

import dev.gatehouse.app.demo.EchoServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatchBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas against one mock API server: both serve traffic (each on a loopback address of its own, the same
 * port), only the Lease holder writes status, and when it dies without giving the Lease up the other takes over
 * once the Lease expires (2 s here; 15 s by default).
 */
@Timeout(120)
class LeaderElectionTest {
    static final Duration AWAIT = Duration.ofSeconds(30);

    final List<AutoCloseable> open = new ArrayList<>();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void onlyTheLeaderWritesStatusAndAnotherTakesOverWhenItDies() throws Exception {
        MockCluster cluster = add(new MockCluster().withGatewayApi().withGatehouseCrds());
        KubernetesClient api = cluster.client;
        EchoServer pod = add(new EchoServer(new InetSocketAddress("127.0.0.1", 0), "pod-a", "default"));
        int port = KubernetesModeTest.freePort();
        for (String doc : KubernetesModeTest.resources(port, pod.address().getPort()).split("\n---\n")) {
            api.resource(doc).create();
        }

        KubernetesClient clientA = cluster.newClient();
        Replica a = add(new Replica(clientA, KubernetesModeTest.settings(), "127.0.0.1"));
        KubernetesModeTest.eventually().until(a.controller::leading);
        Replica b = add(new Replica(cluster.newClient(), KubernetesModeTest.settings(), "127.0.0.2"));

        // every replica serves
        assertThat(get("127.0.0.1", port, "/hello").statusCode()).isEqualTo(200);
        assertThat(get("127.0.0.2", port, "/hello").statusCode()).isEqualTo(200);

        awaitObservedGeneration(api, 1);
        setPath(api, "/v2");
        awaitObservedGeneration(api, 2);
        KubernetesModeTest.eventually().until(() -> get("127.0.0.2", port, "/v2/x").statusCode() == 200);
        assertThat(b.controller.leading()).isFalse();
        assertThat(b.controller.statusSink().writes()).isZero();
        assertThat(a.controller.statusSink().writes()).isPositive();
        Lease lease = api.leases().inNamespace("default").withName("gatehouse-controller").get();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(a.controller.identity());

        // A dies: its connection goes first, so it cannot give the Lease up; B waits for it to expire
        clientA.close();
        a.close();
        KubernetesModeTest.eventually().until(b.controller::leading);
        setPath(api, "/v3");
        awaitObservedGeneration(api, 3);
        assertThat(b.controller.statusSink().writes()).isPositive();
        assertThat(api.leases().inNamespace("default").withName("gatehouse-controller").get().getSpec()
                .getHolderIdentity()).isEqualTo(b.controller.identity());
    }

    private static void setPath(KubernetesClient api, String prefix) {
        KubernetesModeTest.edit(api, HTTPRoute.class, "echo", r -> {
            r.getSpec().getRules().get(0).setMatches(List.of(new HTTPRouteMatchBuilder().withNewPath()
                    .withType("PathPrefix").withValue(prefix).endPath().build()));
            return r;
        });
    }

    private static void awaitObservedGeneration(KubernetesClient api, long generation) {
        KubernetesModeTest.eventually().untilAsserted(() -> {
            HTTPRoute route = api.resources(HTTPRoute.class).inNamespace("default").withName("echo").get();
            assertThat(route.getMetadata().getGeneration()).isEqualTo(generation);
            assertThat(route.getStatus()).isNotNull();
            Condition accepted = KubernetesModeTest.condition(route.getStatus().getParents().get(0).getConditions(),
                    "Accepted");
            assertThat(accepted.getObservedGeneration()).isEqualTo(generation);
        });
    }

    private HttpResponse<String> get(String host, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private <T extends AutoCloseable> T add(T closeable) {
        open.add(closeable);
        return closeable;
    }
}
