package dev.gatehouse.kubernetes;

import dev.gatehouse.translate.Condition;
import dev.gatehouse.translate.ResourceStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The status writer waits while a reload is coming (a change arrived, its reload has not published yet), against
 * fabric8's mock API server with the real HTTPRoute CRD: the write happens once the reload publishes, or once
 * {@link KubernetesStatusSink#YIELD_AT_MOST} has passed for a reload that never does.
 */
@Timeout(60)
@EnableKubernetesMockClient(crud = true)
class StatusYieldsToReloadTest {
    private static final java.util.logging.Logger MOCK_SERVER_LOG =
            quiet(java.util.logging.Logger.getLogger("io.fabric8.mockwebserver"));

    private static java.util.logging.Logger quiet(java.util.logging.Logger logger) {
        logger.setLevel(java.util.logging.Level.WARNING);
        return logger;
    }

    KubernetesClient client;
    private final List<ResourceStatus> statuses = List.of(new ResourceStatus("HTTPRoute", "default", "echo",
            List.of(), List.of(), List.of(new ResourceStatus.ParentStatus("Gateway default/edge",
            StatusConflictTest.OURS, List.of(new Condition("Accepted", "True", "Accepted", "ok"))))));

    @BeforeEach
    void route() throws Exception {
        try (InputStream in = Files.newInputStream(StatusConflictTest.HTTPROUTE_CRD)) {
            client.apiextensions().v1().customResourceDefinitions().resource(
                    client.apiextensions().v1().customResourceDefinitions().load(in).item()).create();
        }
        client.resource(new HTTPRouteBuilder().withNewMetadata().withName("echo").withNamespace("default")
                .endMetadata().withNewSpec().addNewParentRef().withName("edge").endParentRef().endSpec().build())
                .create();
    }

    private KubernetesStatusSink sink() {
        return new KubernetesStatusSink(client, new CachedObjects() {
            @Override
            public <T extends HasMetadata> T cached(Class<T> type, String namespace, String name) {
                return client.resources(type).inNamespace(namespace).withName(name).get();
            }

            @Override
            public <T extends HasMetadata> List<T> all(Class<T> type) {
                return List.of();
            }
        }, KubernetesSettings.defaults(StatusConflictTest.OURS), Clock.systemUTC());
    }

    @Test
    void aComingReloadHoldsTheWritesUntilItPublishes() {
        try (KubernetesStatusSink sink = sink()) {
            sink.publish(statuses); // not leading yet: nothing written
            sink.reloadComing();
            sink.leading(true);
            // well inside YIELD_AT_MOST (2 s): the writer waits
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(() -> sink.writes() == 0);
            sink.publish(statuses);
            await().atMost(Duration.ofSeconds(20)).until(() -> sink.writes() == 1);
            assertThat(client.resources(HTTPRoute.class).inNamespace("default").withName("echo").get()
                    .getStatus().getParents()).hasSize(1);
        }
    }

    @Test
    void aReloadThatNeverPublishesHoldsThemNoLongerThanTheBound() {
        try (KubernetesStatusSink sink = sink()) {
            sink.publish(statuses);
            sink.reloadComing();
            sink.leading(true);
            await().atMost(Duration.ofSeconds(30)).until(() -> sink.writes() == 1);
        }
    }
}
