package dev.gatehouse.app.kubernetes;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * fabric8's mock API server in CRUD mode (it keeps what is created, serves lists, watches and the status
 * subresource), on loopback, knowing the real Gateway API CRDs, read from the shared copy at test time (never
 * copied into the project), and ours from deploy/crds.
 */
final class MockCluster implements AutoCloseable {
    /** The mock API server logs every request at INFO (thousands per run, mostly Lease polls): keep its warnings only. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = quiet(java.util.logging.Logger.getLogger("io.fabric8.mockwebserver"));

    private static java.util.logging.Logger quiet(java.util.logging.Logger logger) {
        logger.setLevel(java.util.logging.Level.WARNING);
        return logger;
    }

    /** The standard channel, as upstream publishes it; the working directory of a module's tests is the module. */
    static final Path GATEWAY_API_CRDS = Path.of("../../shared/gateway-api-crds/standard");
    /** The experimental channel: the same kinds with more fields and versions, as many clusters have them. */
    static final Path GATEWAY_API_EXPERIMENTAL_CRDS = Path.of("../../shared/gateway-api-crds/experimental");
    static final Path OUR_CRDS = Path.of("../deploy/crds");

    private final KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(),
            new HashMap<>(), new KubernetesCrudDispatcher(), false);
    private final List<KubernetesClient> clients = new ArrayList<>();
    final KubernetesClient client;

    MockCluster() throws IOException {
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = newClient();
    }

    /** @return the API server's port on loopback */
    int port() {
        return server.getPort();
    }

    /** Another client, as another replica would have. */
    KubernetesClient newClient() {
        KubernetesClient c = server.createClient();
        clients.add(c);
        return c;
    }

    /** Installs the Gateway API CRDs; fails naming the folder when the shared copy is missing. */
    MockCluster withGatewayApi() throws IOException {
        return withGatewayApi(UnaryOperator.identity());
    }

    /**
     * Installs the Gateway API CRDs as {@code adjust} changes them (e.g. which versions are served), leaving out
     * those it maps to {@code null}: a cluster with other or fewer CRDs.
     */
    MockCluster withGatewayApi(UnaryOperator<CustomResourceDefinition> adjust) throws IOException {
        return withGatewayApi(GATEWAY_API_CRDS, adjust);
    }

    /** Installs the experimental channel's Gateway API CRDs (its x-k8s.io kinds, which we do not watch, left out). */
    MockCluster withExperimentalGatewayApi() throws IOException {
        return withGatewayApi(GATEWAY_API_EXPERIMENTAL_CRDS, UnaryOperator.identity());
    }

    private MockCluster withGatewayApi(Path channel, UnaryOperator<CustomResourceDefinition> adjust) throws IOException {
        if (!Files.isDirectory(channel)) {
            throw new IllegalStateException("the Gateway API CRDs are not at " + channel.toAbsolutePath()
                    .normalize() + " (the tests read upstream's CRDs from ../shared/gateway-api-crds/ beside the "
                    + "repository)");
        }
        try (Stream<Path> files = Files.list(channel)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("gateway.networking.k8s.io_")
                    && !p.getFileName().toString().contains("_vap_")).sorted().toList()) {
                install(f, adjust);
            }
        }
        return this;
    }

    /** The upstream CRD of this plural (e.g. "udproutes"), as {@code adjust} changes it, installed now. */
    void installGatewayApi(String plural, UnaryOperator<CustomResourceDefinition> adjust) throws IOException {
        install(GATEWAY_API_CRDS.resolve("gateway.networking.k8s.io_" + plural + ".yaml"), adjust);
    }

    /** Installs our own gatehouse.dev CRDs. */
    MockCluster withGatehouseCrds() throws IOException {
        try (Stream<Path> files = Files.list(OUR_CRDS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                install(f);
            }
        }
        return this;
    }

    private void install(Path file) throws IOException {
        install(file, UnaryOperator.identity());
    }

    private void install(Path file, UnaryOperator<CustomResourceDefinition> adjust) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            CustomResourceDefinition crd = adjust.apply(
                    client.apiextensions().v1().customResourceDefinitions().load(in).item());
            if (crd != null) {
                client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
            }
        }
    }

    @Override
    public void close() {
        clients.forEach(KubernetesClient::close);
        server.destroy();
    }
}
