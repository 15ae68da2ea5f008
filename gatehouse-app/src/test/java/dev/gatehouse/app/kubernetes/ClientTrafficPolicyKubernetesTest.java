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

    /**
     * A policy whose value our CRD admits but the translator refuses is left out and says why in its status; the
     * rest is served, and later changes (here to the route) still take effect.
     */
    @Test
    void aRefusedPolicyIsLeftOutAndOtherChangesStillApply() throws Exception {
        try (MockCluster cluster = new MockCluster().withGatewayApi().withGatehouseCrds();
             EchoServer pod = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "pod-a", "default")) {
            KubernetesClient api = cluster.client;
            int port = createWith(api, pod, """
                    apiVersion: gatehouse.dev/v1alpha1
                    kind: ClientTrafficPolicy
                    metadata: {name: typo, namespace: default}
                    spec:
                      targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: edge}]
                      timeouts: {requestHeader: 10 seconds}
                    """);
            try (Replica replica = new Replica(api, KubernetesModeTest.settings(), "127.0.0.1")) {
                HttpClient http = HttpClient.newHttpClient();
                eventually().until(() -> status(http, port, "/") == 200);
                eventually().untilAsserted(() -> {
                    GenericKubernetesResource policy = api.genericKubernetesResources(API_VERSION,
                            "ClientTrafficPolicy").inNamespace("default").withName("typo").get();
                    Map<String, Object> ancestor = list(map(policy.getAdditionalProperties().get("status"))
                            .get("ancestors")).get(0);
                    Map<String, Object> accepted = list(ancestor.get("conditions")).get(0);
                    assertThat(accepted).containsEntry("type", "Accepted").containsEntry("status", "False")
                            .containsEntry("reason", "Invalid");
                    assertThat((String) accepted.get("message")).startsWith("spec.timeouts.requestHeader: ");
                });

                api.resources(io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute.class).inNamespace("default")
                        .withName("echo").edit(r -> {
                            r.getSpec().getRules().get(0).setMatches(List.of(
                                    new io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatchBuilder()
                                            .withNewPath().withType("PathPrefix").withValue("/only").endPath()
                                            .build()));
                            return r;
                        });
                eventually().until(() -> status(http, port, "/") == 404 && status(http, port, "/only") == 200);
            }
        }
    }

    private static int status(HttpClient http, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Creates the demo resources on a free port, and {@code policy}; returns the port. */
    private static int createWith(KubernetesClient api, EchoServer pod, String policy) throws Exception {
        int port = KubernetesModeTest.freePort();
        for (String doc : KubernetesModeTest.resources(port, pod.address().getPort()).split("\n---\n")) {
            api.resource(doc).create();
        }
        api.resource(policy).create();
        return port;
    }

    private static void servedAndStatusWritten(KubernetesClient api, EchoServer pod) throws Exception {
        int port = createWith(api, pod, """
                apiVersion: gatehouse.dev/v1alpha1
                kind: ClientTrafficPolicy
                metadata: {name: edge-limits, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: edge, sectionName: web}]
                  limits: {maxUriBytes: 64}
                """);
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
