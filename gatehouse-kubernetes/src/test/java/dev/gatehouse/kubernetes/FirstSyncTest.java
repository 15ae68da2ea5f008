package dev.gatehouse.kubernetes;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The first lists are what the first read covers: their objects, told to the informers' handlers after the lists
 * complete, must not count as changes (each would make a second full reload right after the first); a change
 * made after the sync does.
 */
@Timeout(120)
@EnableKubernetesMockClient(crud = true)
class FirstSyncTest {
    private static final java.util.logging.Logger MOCK_SERVER_LOG = quiet(java.util.logging.Logger.getLogger("io.fabric8.mockwebserver"));

    private static java.util.logging.Logger quiet(java.util.logging.Logger logger) {
        logger.setLevel(java.util.logging.Level.WARNING);
        return logger;
    }

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void theFirstListsObjectsAreNoChangeButALaterObjectIs() throws Exception {
        int services = 2000;
        IntStream.range(0, services).parallel().forEach(i -> client.resource(new ServiceBuilder().withNewMetadata()
                .withName("s" + i).withNamespace("default").endMetadata().withNewSpec().addNewPort().withPort(80)
                .endPort().endSpec().build()).create());
        AtomicInteger changes = new AtomicInteger();
        try (KubernetesResourceSource source = new KubernetesResourceSource(client,
                KubernetesSettings.defaults(StatusConflictTest.OURS))) {
            source.watch(changes::incrementAndGet);
            assertThat(source.all(io.fabric8.kubernetes.api.model.Service.class)).hasSize(services);
            Thread.sleep(1500); // the debouncer's quiet period (150 ms), many times over
            assertThat(changes).as("changes reported for the first lists' own objects").hasValue(0);

            client.resource(new ServiceBuilder().withNewMetadata().withName("later").withNamespace("default")
                    .endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(changes).hasValue(1));
        }
    }
}
