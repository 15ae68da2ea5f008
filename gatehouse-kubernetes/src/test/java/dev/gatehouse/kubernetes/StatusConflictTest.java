package dev.gatehouse.kubernetes;

import dev.gatehouse.translate.Condition;
import dev.gatehouse.translate.ResourceStatus;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The status writer against fabric8's mock API server (CRUD mode, the real HTTPRoute CRD): a write computed from a
 * stale copy conflicts, is recomputed on a fresh read, and keeps what another controller wrote meanwhile.
 */
@Timeout(60)
@EnableKubernetesMockClient(crud = true)
class StatusConflictTest {
    /** The mock API server logs every request at INFO (thousands per run, mostly Lease polls): keep its warnings only. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = quiet(java.util.logging.Logger.getLogger("io.fabric8.mockwebserver"));

    private static java.util.logging.Logger quiet(java.util.logging.Logger logger) {
        logger.setLevel(java.util.logging.Level.WARNING);
        return logger;
    }

    static final Path HTTPROUTE_CRD = Path.of("../../shared/gateway-api-crds/standard/"
            + "gateway.networking.k8s.io_httproutes.yaml");
    static final String OURS = "gatehouse.dev/gateway-controller";

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void aConflictIsRetriedOnAFreshReadAndAnotherControllersEntryStays() throws Exception {
        assertThat(HTTPROUTE_CRD).as("upstream's Gateway API CRDs beside the repository").exists();
        try (InputStream in = Files.newInputStream(HTTPROUTE_CRD)) {
            client.apiextensions().v1().customResourceDefinitions().resource(
                    client.apiextensions().v1().customResourceDefinitions().load(in).item()).create();
        }
        HTTPRoute stale = client.resource(new HTTPRouteBuilder().withNewMetadata().withName("echo")
                .withNamespace("default").endMetadata().withNewSpec().addNewParentRef().withName("edge")
                .endParentRef().endSpec().build()).create();
        // another controller writes its entry after our cache took its copy
        HTTPRoute theirs = client.resources(HTTPRoute.class).inNamespace("default").withName("echo").get();
        theirs.setStatus(new HTTPRouteStatus(List.of(new RouteParentStatus(List.of(new ConditionBuilder()
                .withType("Accepted").withStatus("True").withReason("Accepted").withMessage("")
                .withLastTransitionTime("2020-01-01T00:00:00Z").build()), "example.com/other",
                new ParentReferenceBuilder().withName("other").build()))));
        client.resource(theirs).updateStatus();
        // the mock's CRUD mode does not compare resourceVersions on /status, so the API server's answer to a write
        // from the stale copy is given explicitly, once
        server.expect().put().withPath("/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/echo/status")
                .andReturn(409, new StatusBuilder().withCode(409).withReason("Conflict").withMessage("the object has "
                        + "been modified; please apply your changes to the latest version and try again").build())
                .once();

        KubernetesStatusSink sink = new KubernetesStatusSink(client, new CachedObjects() {
            @Override
            public <T extends HasMetadata> T cached(Class<T> type, String namespace, String name) {
                return type.cast(stale);
            }

            @Override
            public <T extends HasMetadata> List<T> all(Class<T> type) {
                return List.of();
            }
        }, KubernetesSettings.defaults(OURS).withGatewayAddresses(KubernetesSettings.GatewayAddresses.parse("192.0.2.1")),
                Clock.systemUTC());
        try {
            sink.leading(true);
            List<ResourceStatus> statuses = List.of(new ResourceStatus("HTTPRoute", "default", "echo", List.of(),
                    List.of(), List.of(new ResourceStatus.ParentStatus("Gateway default/edge", OURS,
                    List.of(new Condition("Accepted", "True", "Accepted", "ok"))))));
            sink.publish(statuses);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                    client.resources(HTTPRoute.class).inNamespace("default").withName("echo").get().getStatus()
                            .getParents()).extracting(RouteParentStatus::getControllerName)
                    .containsExactly("example.com/other", OURS));
            assertThat(sink.writes()).isEqualTo(1);
        } finally {
            sink.close();
        }
    }
}
