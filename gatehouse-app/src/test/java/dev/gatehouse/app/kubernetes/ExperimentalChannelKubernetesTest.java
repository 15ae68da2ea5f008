package dev.gatehouse.app.kubernetes;

import dev.gatehouse.app.demo.EchoServer;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static dev.gatehouse.app.kubernetes.KubernetesModeTest.assertCondition;
import static dev.gatehouse.app.kubernetes.KubernetesModeTest.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cluster with the experimental channel's Gateway API CRDs installed (more fields and versions of the same kinds):
 * controller mode serves from it and writes status, as with the standard channel (KubernetesModeTest).
 */
@Timeout(120)
class ExperimentalChannelKubernetesTest {

    @Test
    void theExperimentalChannelsCrdsAreServedAndTheirStatusWritten() throws Exception {
        try (MockCluster cluster = new MockCluster().withExperimentalGatewayApi().withGatehouseCrds();
             EchoServer pod = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "pod-a", "default")) {
            KubernetesClient api = cluster.client;
            int port = KubernetesModeTest.freePort();
            for (String doc : KubernetesModeTest.resources(port, pod.address().getPort()).split("\n---\n")) {
                api.resource(doc).create();
            }
            try (Replica replica = new Replica(api, KubernetesModeTest.settings(), "127.0.0.1")) {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/hello")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.body()).contains("\"pod\":\"pod-a\"");
                eventually().untilAsserted(() -> {
                    GatewayClass gc = api.resources(GatewayClass.class).withName("gatehouse").get();
                    assertCondition(gc.getStatus().getConditions(), "Accepted", "True", 1L);
                    Gateway gw = api.resources(Gateway.class).inNamespace("default").withName("edge").get();
                    assertCondition(gw.getStatus().getConditions(), "Programmed", "True", 1L);
                    HTTPRoute route = api.resources(HTTPRoute.class).inNamespace("default").withName("echo").get();
                    assertCondition(route.getStatus().getParents().get(0).getConditions(), "Accepted", "True", 1L);
                });
                // every kind we watch is served by the experimental channel too (in one of its versions)
                var kinds = replica.controller.source().kinds();
                assertThat(kinds).allSatisfy(k -> assertThat(kinds).as(k.kind()).anyMatch(watched ->
                        watched.kind().equals(k.kind()) && watched.watched()));
            }
        }
    }
}
