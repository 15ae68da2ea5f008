package dev.gatehouse.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.app.demo.EchoServer;
import dev.gatehouse.e2e.ClientCertificates.Issued;
import dev.gatehouse.e2e.TestCertificates.KeyForm;
import dev.gatehouse.e2e.TestCertificates.Pem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client-certificate validation (the Gateway's {@code spec.tls.frontend}) against the real jar, with curl and
 * {@code openssl s_client} as clients and certificates made here with BouncyCastle. Port "strict" validates with
 * the default (AllowValidOnly): a client without a certificate, with an expired one or with one of an unknown CA
 * gets a TLS alert and never a response; port "fallback" (perPort AllowInsecureFallback) serves them all but
 * forwards only a verified certificate. X-Forwarded-Client-Cert (ClientTrafficPolicy SanitizeSet with Subject, URI,
 * DNS) carries the verified subject to the backend, and a client's own copy of the header never gets through:
 * not on these ports, and not on a plain HTTP port without any policy. A handshake that asked for no certificate
 * (another Gateway's listener on the port) cannot be used for the strict listener's host: 421.
 */
class MutualTlsEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOST = "mtls.test";
    private static final String FORGED = "X-Forwarded-Client-Cert: Hash=00;Subject=\"CN=admin\"";

    @TempDir
    static Path dir;

    static EchoServer echo;
    static GatewayProcess gateway;
    static Pem server;
    static Issued alice;
    static Issued expired;
    static Issued stranger;
    static int strict;
    static int fallback;
    static int plain;

    @BeforeAll
    static void start() throws Exception {
        server = TestCertificates.create(dir, "server", KeyForm.PKCS8_RSA, "DNS:" + HOST);
        Issued ca = ClientCertificates.authority(dir, "client-ca");
        Issued otherCa = ClientCertificates.authority(dir, "other-ca");
        alice = ClientCertificates.client(dir, "alice", ca, "O=Example,CN=alice", 1, -1, "spiffe://example/alice",
                "alice.example");
        expired = ClientCertificates.client(dir, "expired", ca, "CN=expired", 30, 20, "spiffe://example/old",
                "old.example");
        stranger = ClientCertificates.client(dir, "stranger", otherCa, "CN=stranger", 1, -1, "spiffe://other/x",
                "x.other");
        echo = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "echo", "default");
        strict = GatewayProcess.freePort();
        fallback = GatewayProcess.freePort();
        plain = GatewayProcess.freePort();
        String caIndented = ca.crtPem().strip().replace("\n", "\n    ");
        String config = Configs.gateway("""
                  - {name: strict, protocol: HTTPS, port: %1$d, hostname: mtls.test, tls: {certificateRefs: [{name: server}]}}
                  - {name: fallback, protocol: HTTPS, port: %2$d, tls: {certificateRefs: [{name: server}]}}
                  - {name: plain, protocol: HTTP, port: %3$d}
                  tls:
                    frontend:
                      default:
                        validation:
                          caCertificateRefs: [{group: "", kind: ConfigMap, name: client-ca}]
                      perPort:
                      - port: %2$d
                        tls:
                          validation:
                            mode: AllowInsecureFallback
                            caCertificateRefs: [{group: "", kind: ConfigMap, name: client-ca}]
                """.formatted(strict, fallback, plain))
                + server.secret()
                + Configs.service("echo", echo.address().getPort())
                + Configs.route("echo", "1")
                + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: open, namespace: default}
                spec:
                  gatewayClassName: gatehouse
                  listeners:
                  - {name: any, protocol: HTTPS, port: %d, tls: {certificateRefs: [{name: server}]}}
                """.formatted(strict)
                + """
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: client-ca, namespace: default}
                data:
                  ca.crt: |
                    %s
                ---
                apiVersion: gatehouse.dev/v1alpha1
                kind: ClientTrafficPolicy
                metadata: {name: client-cert-header, namespace: default}
                spec:
                  targetRefs:
                  - {group: gateway.networking.k8s.io, kind: Gateway, name: edge, sectionName: strict}
                  - {group: gateway.networking.k8s.io, kind: Gateway, name: edge, sectionName: fallback}
                  headers:
                    xForwardedClientCert:
                      mode: SanitizeSet
                      certDetailsToAdd: [Subject, URI, DNS]
                """.formatted(caIndented);
        Configs.write(dir.resolve("gateway.yaml"), config);
        gateway = GatewayProcess.start(dir, "-Xmx256m");
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (echo != null) {
            echo.close();
        }
    }

    /** curl over TLS to {@code port} with the client certificate {@code cert} (or none), a forged XFCC header sent. */
    private static Curl.Result curl(int port, Issued cert) throws Exception {
        List<String> args = new ArrayList<>(List.of("--http1.1", "-s", "-S", "--max-time", "20", "--cacert",
                server.crt().toString(), "--resolve", HOST + ":" + port + ":127.0.0.1", "-H", FORGED));
        if (cert != null) {
            args.addAll(List.of("--cert", cert.crt().toString(), "--key", cert.key().toString()));
        }
        args.add("https://" + HOST + ":" + port + "/who");
        return Curl.run(args.toArray(String[]::new));
    }

    private static JsonNode served(Curl.Result r) throws Exception {
        assertThat(r.exit()).as(r.stderr()).isZero();
        return JSON.readTree(r.stdout());
    }

    @Test
    void aValidClientCertificateIsServedAndItsSubjectReachesTheBackend() throws Exception {
        String xfcc = served(curl(strict, alice)).at("/headers/x-forwarded-client-cert").asText();
        assertThat(xfcc).matches("Hash=[0-9a-f]{64};Subject=\"CN=alice,O=Example\";URI=spiffe://example/alice;"
                + "DNS=alice.example");
        assertThat(xfcc).doesNotContain("admin");
    }

    @Test
    void withoutAValidCertificateTheStrictPortAnswersWithATlsAlertNeverAResponse() throws Exception {
        long before = echo.requests();
        for (Issued cert : new Issued[] {null, expired, stranger}) {
            Curl.Result r = curl(strict, cert);
            String who = cert == null ? "no certificate" : cert.crt().getFileName().toString();
            assertThat(r.exit()).as(who + ": " + r.stderr()).isNotZero();
            assertThat(r.stdout()).as(who).doesNotContain("headers");
            assertThat(r.stderr()).as(who).containsIgnoringCase("alert");
        }
        assertThat(echo.requests()).isEqualTo(before);
    }

    @Test
    void aHandshakeThatAskedForNoCertificateCannotReachAHostThatRequiresOne() throws Exception {
        // another Gateway's hostless listener shares the strict port: a client without SNI handshakes with its
        // certificate, which asks for no client certificate, and then names the strict listener's host
        long before = echo.requests();
        Curl.Result r = Curl.run("--http1.1", "-s", "-k", "--max-time", "20", "-H", "Host: " + HOST, "-o", "/dev/null",
                "-w", "%{http_code}", "https://127.0.0.1:" + strict + "/who");
        assertThat(r.stdout()).as(r.stderr()).isEqualTo("421");
        assertThat(echo.requests()).isEqualTo(before);
    }

    @Test
    void opensslNamesTheAlerts() throws Exception {
        assertThat(sClient(null)).containsIgnoringCase("alert certificate required");
        assertThat(sClient(expired)).containsIgnoringCase("alert certificate expired");
        assertThat(sClient(stranger)).containsIgnoringCase("alert");
    }

    /** s_client sends one request, so that a TLS 1.3 client learns of the server's verdict. */
    private static String sClient(Issued cert) throws Exception {
        List<String> args = new ArrayList<>(List.of("s_client", "-connect", "127.0.0.1:" + strict, "-servername", HOST,
                "-CAfile", server.crt().toString(), "-ign_eof"));
        if (cert != null) {
            args.addAll(List.of("-cert", cert.crt().toString(), "-key", cert.key().toString()));
        }
        return TestCertificates.openssl(args);
    }

    @Test
    void theFallbackPortServesEveryoneButForwardsOnlyAVerifiedCertificate() throws Exception {
        assertThat(served(curl(fallback, null)).at("/headers").has("x-forwarded-client-cert")).isFalse();
        assertThat(served(curl(fallback, stranger)).at("/headers").has("x-forwarded-client-cert")).isFalse();
        assertThat(served(curl(fallback, expired)).at("/headers").has("x-forwarded-client-cert")).isFalse();
        assertThat(served(curl(fallback, alice)).at("/headers/x-forwarded-client-cert").asText())
                .contains("Subject=\"CN=alice,O=Example\"");
    }

    @Test
    void aClientsOwnHeaderIsStrippedWhereNoPolicySaysOtherwise() throws Exception {
        Curl.Result r = Curl.run("-s", "-S", "--max-time", "20", "-H", FORGED, "http://127.0.0.1:" + plain + "/");
        assertThat(served(r).at("/headers").has("x-forwarded-client-cert")).isFalse();
    }
}
