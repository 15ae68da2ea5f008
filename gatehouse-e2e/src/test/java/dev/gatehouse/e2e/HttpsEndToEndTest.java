package dev.gatehouse.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.app.demo.EchoServer;
import dev.gatehouse.e2e.TestCertificates.KeyForm;
import dev.gatehouse.e2e.TestCertificates.Pem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * HTTPS listeners against the real jar, with curl and openssl as clients: three listeners on one port chosen by
 * SNI (an exact name, a wildcard, and a hostname-less default), keys in the three PEM forms, ALPN h2 and
 * http/1.1, 421 for a host another listener's certificate was chosen for, and a listener whose key is broken
 * reported while the others serve.
 */
class HttpsEndToEndTest {
    @TempDir
    static Path dir;

    static EchoServer echo;
    static GatewayProcess gateway;
    static int port;
    static int brokenPort;
    static Pem exact;
    static Pem wild;
    static Pem fallback;

    @BeforeAll
    static void start() throws Exception {
        exact = TestCertificates.create(dir, "exact", KeyForm.PKCS1_RSA, "DNS:exact.example.com");
        wild = TestCertificates.create(dir, "wild", KeyForm.SEC1_EC, "DNS:*.example.com");
        fallback = TestCertificates.create(dir, "fallback", KeyForm.PKCS8_RSA, "DNS:fallback.test");
        Pem broken = TestCertificates.create(dir, "broken", KeyForm.PKCS8_RSA, "DNS:broken.test");
        echo = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "echo", "default");
        port = GatewayProcess.freePort();
        brokenPort = GatewayProcess.freePort();
        String config = Configs.gateway("""
                  - {name: exact, protocol: HTTPS, port: %1$d, hostname: exact.example.com, tls: {certificateRefs: [{name: exact}]}}
                  - {name: wild, protocol: HTTPS, port: %1$d, hostname: "*.example.com", tls: {certificateRefs: [{name: wild}]}}
                  - {name: any, protocol: HTTPS, port: %1$d, tls: {certificateRefs: [{name: fallback}]}}
                  - {name: broken, protocol: HTTPS, port: %2$d, tls: {certificateRefs: [{name: broken}]}}
                """.formatted(port, brokenPort))
                + Configs.service("echo", echo.address().getPort())
                + route("exact") + route("wild") + route("any") + route("broken")
                + exact.secret() + wild.secret() + fallback.secret()
                + broken.secret(wild.keyPem()); // another certificate's key
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

    /** Routes everything of one listener to echo, marking the response with the listener's name. */
    private static String route(String listener) {
        return """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: %1$s, namespace: default}
                spec:
                  parentRefs: [{name: edge, sectionName: %1$s}]
                  rules:
                  - filters:
                    - type: ResponseHeaderModifier
                      responseHeaderModifier:
                        set: [{name: X-Listener, value: %1$s}]
                    backendRefs: [{name: echo, port: 80}]
                """.formatted(listener);
    }

    @Test
    void curlReachesTheListenerItsServerNameSelectsOverH2AndHttp11() throws Exception {
        for (String version : List.of("--http2", "--http1.1")) {
            assertServed("exact.example.com", exact, "exact", version);
            assertServed("shop.example.com", wild, "wild", version);
            assertServed("fallback.test", fallback, "any", version);
        }
    }

    private static void assertServed(String host, Pem cert, String listener, String version) throws Exception {
        // curl verifies the certificate against the one file it trusts: a wrong certificate fails the handshake
        Curl.Result r = Curl.run(version, "--cacert", cert.crt().toString(),
                "--resolve", host + ":" + port + ":127.0.0.1", "-D", "-", "-o", "/dev/null",
                "-w", "version=%{http_version}", "https://" + host + ":" + port + "/hello");
        assertThat(r.exit()).as(host + " " + version + ": " + r.stderr()).isZero();
        String out = r.stdout().toLowerCase(Locale.ROOT);
        assertThat(out).as(host + " " + version).contains(" 200", "x-listener: " + listener,
                "version=" + (version.equals("--http2") ? "2" : "1.1"));
    }

    /**
     * h2load, the load generator users benchmark with, through the TLS listener: many multiplexed h2 streams
     * and keep-alive http/1.1 connections (chosen by ALPN), TLS 1.3, and not one request lost. Bounded in
     * requests; the process itself is bounded in time.
     */
    @Test
    void h2loadThroughTheTlsListenerLosesNoRequestOverH2OrHttp11() throws Exception {
        String url = "https://exact.example.com:" + port + "/hello";
        String h2 = h2load("-n", "4000", "-c", "8", "-m", "16", "--connect-to=127.0.0.1:" + port, url);
        assertThat(h2).contains("TLS Protocol: TLSv1.3", "Application protocol: h2",
                "4000 total, 4000 started, 4000 done, 4000 succeeded, 0 failed, 0 errored", "4000 2xx");
        String h1 = h2load("--h1", "-n", "2000", "-c", "8", "--connect-to=127.0.0.1:" + port, url);
        assertThat(h1).contains("Application protocol: http/1.1",
                "2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored", "2000 2xx");
    }

    private static String h2load(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("h2load", "-t1"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("h2load did not finish: " + cmd);
        }
        String text = new String(out, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        return text;
    }

    @Test
    void opensslSeesTheExactNameBeforeTheWildcardAndTheDefaultWithoutSni() throws Exception {
        assertThat(subject("-servername", "exact.example.com")).contains("CN = exact");
        assertThat(subject("-servername", "other.example.com")).contains("CN = wild");
        assertThat(subject("-servername", "unknown.test")).contains("CN = fallback");
        assertThat(subject("-noservername")).contains("CN = fallback");
    }

    private static String subject(String... sni) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("s_client", "-connect", "127.0.0.1:" + port,
                "-alpn", "h2,http/1.1"));
        args.addAll(List.of(sni));
        String out = TestCertificates.openssl(args);
        assertThat(out).as(out).contains("ALPN protocol: h2");
        return out.lines().filter(l -> l.startsWith("subject=")).findFirst().orElse(out);
    }

    @Test
    void aHostThatTheServerNameDidNotSelectIsMisdirected() throws Exception {
        Curl.Result r = Curl.run("--http1.1", "--cacert", exact.crt().toString(),
                "--resolve", "exact.example.com:" + port + ":127.0.0.1", "-H", "Host: shop.example.com",
                "-o", "/dev/null", "-w", "%{http_code}", "https://exact.example.com:" + port + "/");
        assertThat(r.stdout()).as(r.stderr()).isEqualTo("421");
    }

    @Test
    void aListenerWithAKeyOfAnotherCertificateIsReportedAndTheOthersServe() throws Exception {
        HttpResponse<String> status = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(gateway.admin("/status")).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode listener = null;
        for (JsonNode r : new ObjectMapper().readTree(status.body()).path("resources")) {
            for (JsonNode l : r.path("listeners")) {
                if (r.path("kind").asText().equals("Gateway") && l.path("name").asText().equals("broken")) {
                    listener = l;
                }
            }
        }
        assertThat(listener).as(status.body()).isNotNull();
        assertThat(listener.toString()).contains("\"InvalidCertificateRef\"",
                "tls.key is not the private key of the first certificate in tls.crt");
        assertThatThrownBy(() -> new Socket("127.0.0.1", brokenPort).close()).isInstanceOf(ConnectException.class);
        assertServed("exact.example.com", exact, "exact", "--http2");
    }
}
