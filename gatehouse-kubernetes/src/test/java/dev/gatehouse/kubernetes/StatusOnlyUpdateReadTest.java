package dev.gatehouse.kubernetes;

import dev.gatehouse.translate.ResourceSet;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Our status write replaces the route in the informer's cache; the next read hands over the object it handed
 * over before, so the translator's per-object memo and its EndpointSlice-only refresh still see the same instance.
 * A change of the spec is a new object.
 */
@Timeout(120)
@EnableKubernetesMockClient(crud = true)
class StatusOnlyUpdateReadTest {
    private static final java.util.logging.Logger MOCK_SERVER_LOG = quiet(java.util.logging.Logger.getLogger("io.fabric8.mockwebserver"));

    private static java.util.logging.Logger quiet(java.util.logging.Logger logger) {
        logger.setLevel(java.util.logging.Level.WARNING);
        return logger;
    }

    KubernetesClient client;

    @Test
    void aStatusWriteLeavesTheReadObjectTheSameInstanceAndASpecChangeDoesNot() throws Exception {
        try (InputStream in = Files.newInputStream(StatusConflictTest.HTTPROUTE_CRD)) {
            client.apiextensions().v1().customResourceDefinitions().resource(
                    client.apiextensions().v1().customResourceDefinitions().load(in).item()).create();
        }
        client.resource(new HTTPRouteBuilder().withNewMetadata().withName("echo").withNamespace("default")
                .endMetadata().withNewSpec().addNewParentRef().withName("edge").endParentRef().endSpec().build()).create();
        AtomicInteger changes = new AtomicInteger();
        try (KubernetesResourceSource source = new KubernetesResourceSource(client,
                KubernetesSettings.defaults(StatusConflictTest.OURS))) {
            source.watch(changes::incrementAndGet);
            HTTPRoute first = route(source.read().resources());
            String version = first.getMetadata().getResourceVersion();

            HTTPRoute withStatus = client.resources(HTTPRoute.class).inNamespace("default").withName("echo").get();
            withStatus.setStatus(new HTTPRouteStatus(List.of(new RouteParentStatus(List.of(new ConditionBuilder()
                    .withType("Accepted").withStatus("True").withReason("Accepted").withMessage("")
                    .withLastTransitionTime("2020-01-01T00:00:00Z").build()), StatusConflictTest.OURS,
                    new ParentReferenceBuilder().withName("edge").build()))));
            client.resource(withStatus).updateStatus();
            await().atMost(Duration.ofSeconds(20)).until(() -> !version.equals(
                    source.cached(HTTPRoute.class, "default", "echo").getMetadata().getResourceVersion()));
            assertThat(route(source.read().resources())).isSameAs(first);

            HTTPRoute current = client.resources(HTTPRoute.class).inNamespace("default").withName("echo").get();
            client.resource(new HTTPRouteBuilder(current).editSpec().withHostnames("echo.example.com").endSpec()
                    .build()).update();
            await().atMost(Duration.ofSeconds(20)).until(() -> source.cached(HTTPRoute.class, "default", "echo")
                    .getSpec().getHostnames().contains("echo.example.com"));
            HTTPRoute changed = route(source.read().resources());
            assertThat(changed).isNotSameAs(first);
            assertThat(changed.getSpec().getHostnames()).containsExactly("echo.example.com");
            assertThat(route(source.read().resources())).as("unchanged since").isSameAs(changed);
        }
    }

    private static HTTPRoute route(ResourceSet resources) {
        List<HasMetadata> routes = resources.entries().stream().map(ResourceSet.Entry::object)
                .filter(o -> o instanceof HTTPRoute).toList();
        assertThat(routes).hasSize(1);
        return (HTTPRoute) routes.get(0);
    }
}
