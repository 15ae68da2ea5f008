package dev.gatehouse.app.kubernetes;

import dev.gatehouse.app.demo.EchoServer;
import dev.gatehouse.kubernetes.ControllerView;
import dev.gatehouse.translate.ResourceSet;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.gatehouse.app.kubernetes.KubernetesModeTest.condition;
import static dev.gatehouse.app.kubernetes.KubernetesModeTest.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Controller mode fetches only the Secrets something references, each by name: one created after the Gateway that
 * names it is served, its rotation too, and the cluster's other Secrets are neither fetched nor held.
 */
@Timeout(120)
class ReferencedSecretsTest {
    final List<AutoCloseable> open = new ArrayList<>();
    @TempDir
    Path dir;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void aListenersSecretIsServedWhenItAppearsAndWhenItRotatesAndNoOtherSecretIsHeld() throws Exception {
        MockCluster cluster = add(new MockCluster().withGatewayApi().withGatehouseCrds());
        KubernetesClient api = cluster.client;
        EchoServer pod = add(new EchoServer(new InetSocketAddress("127.0.0.1", 0), "pod-a", "default"));
        int port = KubernetesModeTest.freePort();
        int tlsPort = KubernetesModeTest.freePort();
        for (int i = 0; i < 50; i++) {
            api.resource(secret(i % 2 == 0 ? "default" : "apps", "unrelated-" + i, "Opaque",
                    Map.of("password", "hunter" + i))).create();
        }
        applyWithHttpsListener(api, port, tlsPort, pod);
        Replica replica = add(new Replica(api, KubernetesModeTest.settings(), "127.0.0.1"));

        // the Secret does not exist yet: the listener says so, the other listener serves
        eventually().untilAsserted(() -> {
            Gateway gw = api.resources(Gateway.class).inNamespace("default").withName("edge").get();
            assertThat(condition(gw.getStatus().getListeners().get(1).getConditions(), "ResolvedRefs").getReason())
                    .isEqualTo("InvalidCertificateRef");
        });

        // created after the Gateway: its by-name watch brings it, and the listener serves its certificate
        api.resource(tlsSecret("first")).create();
        eventually().until(() -> "CN=first".equals(servedCertificate(tlsPort)));

        // rotated: the new certificate is served
        api.resource(tlsSecret("second")).update();
        eventually().until(() -> "CN=second".equals(servedCertificate(tlsPort)));

        // of the 51 Secrets in the cluster, the source holds and hands the translator the referenced one only
        ControllerView.Kind secrets = replica.controller.source().kinds().stream()
                .filter(k -> k.kind().equals("Secret")).findFirst().orElseThrow();
        assertThat(secrets.count()).isEqualTo(1);
        assertThat(secretsRead(replica)).containsExactly("default/edge-cert");

        // no longer referenced: let go
        KubernetesModeTest.edit(api, Gateway.class, "edge", g -> {
            g.getSpec().setListeners(List.of(g.getSpec().getListeners().get(0)));
            return g;
        });
        eventually().untilAsserted(() -> assertThat(secretsRead(replica)).isEmpty());
        assertThat(replica.controller.source().kinds().stream().filter(k -> k.kind().equals("Secret"))
                .findFirst().orElseThrow().count()).isZero();
    }

    @Test
    void aSecretThatExistsIsInTheFirstConfigAndItsFirstListCostsNoSecondReload() throws Exception {
        MockCluster cluster = add(new MockCluster().withGatewayApi().withGatehouseCrds());
        KubernetesClient api = cluster.client;
        EchoServer pod = add(new EchoServer(new InetSocketAddress("127.0.0.1", 0), "pod-a", "default"));
        int port = KubernetesModeTest.freePort();
        int tlsPort = KubernetesModeTest.freePort();
        api.resource(tlsSecret("first")).create();
        applyWithHttpsListener(api, port, tlsPort, pod);

        Replica replica = add(new Replica(api, KubernetesModeTest.settings(), "127.0.0.1"));

        // the read that first saw the reference waited for the Secret's list: the first config serves it
        assertThat(servedCertificate(tlsPort)).isEqualTo("CN=first");
        Thread.sleep(1500); // longer than the debouncer's longest delay: a reload for the informer's list shows here
        assertThat(replica.applied.get()).isEqualTo(1);
    }

    private static void applyWithHttpsListener(KubernetesClient api, int port, int tlsPort, EchoServer pod) {
        for (String doc : KubernetesModeTest.resources(port, pod.address().getPort()).replace(
                "  - {name: web, protocol: HTTP, port: %d}\n".formatted(port),
                "  - {name: web, protocol: HTTP, port: %d}\n".formatted(port)
                        + "  - {name: websecure, protocol: HTTPS, port: %d, tls: {certificateRefs: [{name: edge-cert}]}}\n"
                        .formatted(tlsPort)).split("\n---\n")) {
            api.resource(doc).create();
        }
    }

    private static List<String> secretsRead(Replica replica) {
        ResourceSet read = replica.controller.source().read().resources();
        return read.entries().stream().map(ResourceSet.Entry::object).filter(Secret.class::isInstance)
                .map(HasMetadata.class::cast)
                .map(s -> s.getMetadata().getNamespace() + "/" + s.getMetadata().getName()).toList();
    }

    /** A kubernetes.io/tls Secret default/edge-cert with a new self-signed certificate for CN {@code cn}. */
    private String tlsSecret(String cn) throws Exception {
        Path key = dir.resolve(cn + ".key");
        Path crt = dir.resolve(cn + ".crt");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", crt.toString(),
                "-days", "2", "-subj", "/CN=" + cn).redirectErrorStream(true)
                .redirectOutput(dir.resolve(cn + ".log").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl for " + cn).isTrue();
        return secret("default", "edge-cert", "kubernetes.io/tls",
                Map.of("tls.crt", Files.readString(crt), "tls.key", Files.readString(key)));
    }

    private static String secret(String namespace, String name, String type, Map<String, String> data) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: v1
                kind: Secret
                metadata: {name: %s, namespace: %s}
                type: %s
                data:
                """.formatted(name, namespace, type));
        data.forEach((k, v) -> yaml.append("  ").append(k).append(": ").append(b64(v)).append('\n'));
        return yaml.toString();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** The subject of the certificate the port presents (a self-signed one: trusted blindly, only looked at). */
    private static String servedCertificate(int port) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    <T extends AutoCloseable> T add(T closeable) {
        open.add(closeable);
        return closeable;
    }
}
