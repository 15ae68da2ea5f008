package dev.gatehouse.app.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.gatehouse.app.kubernetes.KubernetesModeTest.CONTROLLER;
import static dev.gatehouse.app.kubernetes.KubernetesModeTest.assertCondition;
import static dev.gatehouse.app.kubernetes.KubernetesModeTest.condition;
import static dev.gatehouse.app.kubernetes.KubernetesModeTest.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Controller mode reads BackendTrafficPolicies (our CRD installed in the mock API server) like the file loader, and
 * writes each one's PolicyStatus: one ancestor per Gateway, Accepted, Invalid naming the field, Overridden.
 */
class BackendTrafficPolicyKubernetesTest {
    private static final ResourceDefinitionContext BTP = new ResourceDefinitionContext.Builder()
            .withGroup("gatehouse.dev").withVersion("v1alpha1").withKind("BackendTrafficPolicy")
            .withPlural("backendtrafficpolicies").withNamespaced(true).build();

    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private KubernetesClient api;
    private dev.gatehouse.app.demo.EchoServer pod;
    private int port;

    @BeforeEach
    void cluster() throws Exception {
        MockCluster cluster = new MockCluster().withGatewayApi().withGatehouseCrds();
        open.add(cluster);
        api = cluster.client;
        pod = new dev.gatehouse.app.demo.EchoServer(new InetSocketAddress("127.0.0.1", 0), "pod-a", "default");
        open.add(pod);
        port = KubernetesModeTest.freePort();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void policiesAreAppliedAndTheirAncestorStatusesWritten() throws Exception {
        apply(KubernetesModeTest.resources(port, pod.address().getPort()) + """
                ---
                apiVersion: gatehouse.dev/v1alpha1
                kind: BackendTrafficPolicy
                metadata: {name: whole-gateway, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: edge}]
                  loadBalancer: {type: Random}
                ---
                apiVersion: gatehouse.dev/v1alpha1
                kind: BackendTrafficPolicy
                metadata: {name: echo-route, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: echo}]
                  loadBalancer: {type: LeastRequest}
                  retry: {numRetries: 1}
                ---
                apiVersion: gatehouse.dev/v1alpha1
                kind: BackendTrafficPolicy
                metadata: {name: faulty, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: edge, sectionName: web}]
                  faultInjection: {abort: {httpStatus: 503}}
                """);
        Replica replica = new Replica(api, KubernetesModeTest.settings(), "127.0.0.1");
        open.add(replica);

        eventually().untilAsserted(() -> assertThat(get("/hello").statusCode()).isEqualTo(200));
        // the route's own policy applies: its backend's cluster is the policy's
        assertThat(replica.control.serving().snapshot().clusters()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("default/echo:80@default/echo-route");
            assertThat(c.traffic().loadBalancer().type().name()).isEqualTo("LEAST_REQUEST");
        });
        eventually().untilAsserted(() -> {
            PolicyAncestorStatus route = ancestor("echo-route");
            assertThat(route.getAncestorRef().getKind()).isEqualTo("Gateway");
            assertThat(route.getAncestorRef().getName()).isEqualTo("edge");
            assertThat(route.getAncestorRef().getSectionName()).isNull();
            assertCondition(route.getConditions(), "Accepted", "True", 1L);

            PolicyAncestorStatus gateway = ancestor("whole-gateway");
            assertCondition(gateway.getConditions(), "Accepted", "True", 1L);
            assertCondition(gateway.getConditions(), "Overridden", "True", 1L);
            assertThat(condition(gateway.getConditions(), "Overridden").getMessage())
                    .contains("these routes: [default/echo]");

            PolicyAncestorStatus faulty = ancestor("faulty");
            assertThat(faulty.getAncestorRef().getSectionName()).isEqualTo("web");
            assertCondition(faulty.getConditions(), "Accepted", "False", 1L);
            assertThat(condition(faulty.getConditions(), "Accepted").getReason()).isEqualTo("Invalid");
            assertThat(condition(faulty.getConditions(), "Accepted").getMessage())
                    .contains("spec.faultInjection: not supported yet by gatehouse");
        });

        // the route's policy goes: the Gateway's applies, and is no longer Overridden
        api.genericKubernetesResources(BTP).inNamespace("default").withName("echo-route").delete();
        eventually().untilAsserted(() -> {
            assertThat(replica.control.serving().snapshot().clusters()).singleElement()
                    .satisfies(c -> assertThat(c.name()).isEqualTo("default/echo:80@default/whole-gateway"));
            assertThat(ancestor("whole-gateway").getConditions()).extracting(c -> c.getType())
                    .containsExactly("Accepted");
        });
        assertThat(get("/hello").statusCode()).isEqualTo(200);
    }

    private PolicyAncestorStatus ancestor(String policy) {
        GenericKubernetesResource live = api.genericKubernetesResources(BTP).inNamespace("default").withName(policy).get();
        PolicyStatus status = api.getKubernetesSerialization().convertValue(live.getAdditionalProperties().get("status"),
                PolicyStatus.class);
        assertThat(status.getAncestors()).hasSize(1);
        PolicyAncestorStatus a = status.getAncestors().get(0);
        assertThat(a.getControllerName()).isEqualTo(CONTROLLER);
        return a;
    }

    private void apply(String yaml) {
        for (String doc : yaml.split("\n---\n")) {
            api.resource(doc).create();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
