package dev.gatehouse.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/2 over TLS to backends through the jar, as Envoy Gateway does it: a Service port with {@code appProtocol:
 * kubernetes.io/h2c} that a BackendTLSPolicy targets is spoken to as h2 over TLS (ALPN "h2", the policy's hostname
 * as SNI and verified). The backend is nghttpd with a certificate of a test CA made here: curl over h2 and HTTP/1.1
 * gets its file, h2load's streams share one TLS connection, a policy naming another CA is a 502 naming the TLS
 * failure, and a TLS backend that does not select h2 (openssl s_server) is a 502 saying so.
 */
class H2TlsBackendEndToEndTest {
    private static final String H2C = "kubernetes.io/h2c";
    @TempDir
    static Path dir;
    static final List<Process> servers = new ArrayList<>();
    static GatewayProcess gateway;
    static int port;
    static int backendPort;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(H2cBackendEndToEndTest.onPath("nghttpd") && H2cBackendEndToEndTest.onPath("h2load"), "nghttpd and h2load (nghttp2) are installed");
        Path ca = TestCertificates.authority(dir, "ca");
        Path otherCa = TestCertificates.authority(dir, "other-ca");
        Path cert = TestCertificates.signed(dir, "backend", ca, "DNS:backend.example.com");
        Path key = dir.resolve("backend.key");
        Path docs = Files.createDirectories(dir.resolve("docs"));
        Files.writeString(docs.resolve("hello.txt"), "hello over h2 and TLS\n");
        backendPort = GatewayProcess.freePort();
        servers.add(started(backendPort, "nghttpd", "--address=127.0.0.1", "-d", docs.toString(),
                Integer.toString(backendPort), key.toString(), cert.toString()));
        int http1Only = GatewayProcess.freePort();
        servers.add(started(http1Only, "openssl", "s_server", "-accept", "127.0.0.1:" + http1Only, "-cert",
                cert.toString(), "-key", key.toString(), "-www", "-quiet"));
        port = GatewayProcess.freePort();
        String config = Configs.base(port) + BackendTlsEndToEndTest.configMap("backend-ca", ca)
                + BackendTlsEndToEndTest.configMap("other-ca", otherCa)
                + backend("h2tls", backendPort, "backend-ca") + backend("wrong-ca", backendPort, "other-ca")
                + backend("http1-only", http1Only, "backend-ca") + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: all, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  rules:
                  - matches: [{path: {type: PathPrefix, value: /wrong-ca}}]
                    backendRefs: [{name: wrong-ca, port: 80}]
                  - matches: [{path: {type: PathPrefix, value: /http1-only}}]
                    backendRefs: [{name: http1-only, port: 80}]
                  - backendRefs: [{name: h2tls, port: 80}]
                """;
        Files.writeString(dir.resolve("gateway.yaml"), config);
        // one event loop, so one upstream pool: every stream of the load below can share one connection
        gateway = GatewayProcess.start(dir.resolve("gateway.yaml"), "-XX:ActiveProcessorCount=1");
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        for (Process p : servers) {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void h2AndHttp11ClientsGetTheFileOverH2AndTls() throws Exception {
        Curl.Result h2 = Curl.run("-v", "--http2-prior-knowledge", url("/hello.txt"));
        assertThat(h2.exit()).as(h2.stderr()).isZero();
        assertThat(h2.stdout()).isEqualTo("hello over h2 and TLS\n");
        assertThat(h2.stderr()).contains("< HTTP/2 200");
        Curl.Result http1 = Curl.run("-i", "--http1.1", url("/hello.txt"));
        assertThat(http1.exit()).as(http1.stderr()).isZero();
        assertThat(http1.stdout()).startsWith("HTTP/1.1 200").endsWith("hello over h2 and TLS\n");
    }

    @Test
    void manyStreamsShareOneTlsConnection() throws Exception {
        Process load = new ProcessBuilder("h2load", "-n", "200", "-c", "2", "-m", "20", url("/hello.txt"))
                .redirectErrorStream(true).start();
        String out = new String(load.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(load.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("200 succeeded, 0 failed", "status codes: 200 2xx");
        // 40 streams at once from one event loop (nghttpd allows 100); the connection is still open (idle timeout)
        assertThat(H2cBackendEndToEndTest.upstreamConnections(backendPort)).as("TLS connections from the gateway to nghttpd").isEqualTo(1);
    }

    @Test
    void aCertificateOfAnotherCaIsA502NamingTheTlsFailure() throws Exception {
        Curl.Result r = Curl.run("-w", "\n%{http_code}", url("/wrong-ca/hello.txt"));
        assertThat(r.stdout()).contains("TLS handshake failed").containsIgnoringCase("certification path")
                .endsWith("\n502");
    }

    @Test
    void aTlsBackendThatDoesNotSelectH2IsA502SayingSo() throws Exception {
        Curl.Result r = Curl.run("-w", "\n%{http_code}", url("/http1-only/x"));
        assertThat(r.stdout()).contains("TLS handshake failed: the backend did not select h2 by ALPN")
                .endsWith("\n502");
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Service "name" (port http 80, appProtocol h2c) on the backend's port, and its BackendTLSPolicy. */
    private static String backend(String name, int backendPort, String caConfigMap) {
        return BackendTlsEndToEndTest.backend(name, backendPort, caConfigMap, "backend.example.com", "")
                .replace("ports: [{name: http, port: 80}]", "ports: [{name: http, port: 80, appProtocol: " + H2C + "}]");
    }

    private static Process started(int listening, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(command[0] + "-" + listening + ".log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline && p.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", listening), 500);
                return p;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        p.destroy();
        throw new IllegalStateException(command[0] + " did not listen on " + listening);
    }
}
