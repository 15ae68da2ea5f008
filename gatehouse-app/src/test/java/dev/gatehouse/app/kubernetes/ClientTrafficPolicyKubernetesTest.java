package dev.gatehouse.app.kubernetes;

import dev.gatehouse.app.demo.EchoServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static dev.gatehouse.app.kubernetes.KubernetesModeTest.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A ClientTrafficPolicy stored through our CRD (deploy/crds) is read in controller mode, limits the listener it
 * targets, and gets its ancestor status through the status subresource.
 */
@Timeout(120)
class ClientTrafficPolicyKubernetesTest {
    private static final String API_VERSION = "gatehouse.dev/v1alpha1";

    @Test
    void aClientTrafficPolicyInTheApiLimitsItsListenerAndItsAncestorStatusIsWritten() throws Exception {
        try (MockCluster cluster = new MockCluster().withGatewayApi().withGatehouseCrds();
             EchoServer pod = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "pod-a", "default")) {
            servedAndStatusWritten(cluster.client, pod);
        }
    }

    private static void servedAndStatusWritten(KubernetesClient api, EchoServer pod) throws Exception {
        int port = KubernetesModeTest.freePort();
        for (String doc : KubernetesModeTest.resources(port, pod.address().getPort()).split("\n---\n")) {
            api.resource(doc).create();
        }
        api.resource("""
                apiVersion: gatehouse.dev/v1alpha1
                kind: ClientTrafficPolicy
                metadata: {name: edge-limits, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: edge, sectionName: web}]
                  limits: {maxUriBytes: 64}
                """).create();
        try (Replica replica = new Replica(api, KubernetesModeTest.settings(), "127.0.0.1")) {
            limitedAndStatusWritten(api, port);
        }
    }

    private static void limitedAndStatusWritten(KubernetesClient api, int port) throws Exception {

        HttpClient http = HttpClient.newHttpClient();
        String longPath = "/" + "x".repeat(100);
        eventually().until(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + longPath))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 414);
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/short")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        eventually().untilAsserted(() -> {
            GenericKubernetesResource policy = api.genericKubernetesResources(API_VERSION, "ClientTrafficPolicy")
                    .inNamespace("default").withName("edge-limits").get();
            Map<String, Object> ancestor = list(map(policy.getAdditionalProperties().get("status")).get("ancestors"))
                    .get(0);
            assertThat(ancestor.get("controllerName")).isEqualTo(KubernetesModeTest.CONTROLLER);
            assertThat(ancestor.get("ancestorRef")).isEqualTo(Map.of("group", "gateway.networking.k8s.io",
                    "kind", "Gateway", "namespace", "default", "name", "edge", "sectionName", "web"));
            Map<String, Object> accepted = list(ancestor.get("conditions")).get(0);
            assertThat(accepted).containsEntry("type", "Accepted").containsEntry("status", "True")
                    .containsEntry("observedGeneration", 1);
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }
}
