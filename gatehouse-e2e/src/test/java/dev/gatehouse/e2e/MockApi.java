package dev.gatehouse.e2e;

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
import java.util.HashMap;
import java.util.stream.Stream;

/**
 * fabric8's mock API server in CRUD mode for the jar's controller-mode tests and ScaleBench: started on loopback,
 * loaded with upstream's Gateway API CRDs (read from ../shared, never copied), and a kubeconfig that points at it.
 */
final class MockApi {
    /** The mock API server logs every request at INFO (thousands per run, mostly Lease polls): keep its warnings only. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = quiet(java.util.logging.Logger.getLogger("io.fabric8.mockwebserver"));

    static final Path GATEWAY_API_CRDS = Path.of("../../shared/gateway-api-crds/standard");

    private MockApi() {
    }

    private static java.util.logging.Logger quiet(java.util.logging.Logger logger) {
        logger.setLevel(java.util.logging.Level.WARNING);
        return logger;
    }

    static KubernetesMockServer start() {
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        return api;
    }

    /** Installs the standard channel's CRDs (not the validating admission policy, which the mock cannot run). */
    static void installGatewayApiCrds(KubernetesClient client) throws IOException {
        try (Stream<Path> files = Files.list(GATEWAY_API_CRDS)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("gateway.networking.k8s.io_")
                    && !p.getFileName().toString().contains("_vap_")).toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    client.apiextensions().v1().customResourceDefinitions().resource(
                            client.apiextensions().v1().customResourceDefinitions().load(in).item()).create();
                }
            }
        }
    }

    /** A temporary kubeconfig for {@code run --kubeconfig}, namespace default; the caller deletes it. */
    static Path kubeconfig(KubernetesClient client) throws IOException {
        Path file = Files.createTempFile("gatehouse-e2e", ".kubeconfig");
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s"}}]
                contexts: [{name: mock, context: {cluster: mock, user: test, namespace: default}}]
                current-context: mock
                users: [{name: test, user: {token: test}}]
                """.formatted(client.getMasterUrl()));
        return file;
    }
}
