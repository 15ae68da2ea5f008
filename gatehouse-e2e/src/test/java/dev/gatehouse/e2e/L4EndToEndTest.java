package dev.gatehouse.e2e;

import dev.gatehouse.e2e.TestCertificates.KeyForm;
import dev.gatehouse.e2e.TestCertificates.Pem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TCPRoute and TLS passthrough against the real jar: a TCP echo backend reached through a TCP listener (bytes
 * both ways, and the echo still arriving after the client shut its output), and two {@code openssl s_server}
 * backends reached through a TLS passthrough listener by the SNI name {@code openssl s_client} sends; the
 * certificate the client sees is the backend's own, so the gateway did not terminate TLS. A TLS listener with
 * {@code mode: Terminate} handshakes with its own certificate and relays the plain bytes to the echo backend.
 */
class L4EndToEndTest {
    @TempDir
    static Path dir;

    static GatewayProcess gateway;
    static ServerSocket echo;
    static Thread echoThread;
    static final List<Process> servers = new ArrayList<>();
    static int tcpPort;
    static int tlsPort;
    static int terminatePort;
    static Pem terminating;
    static Path accessLog;

    @BeforeAll
    static void start() throws Exception {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThread = new Thread(L4EndToEndTest::serveEcho, "tcp-echo");
        echoThread.setDaemon(true);
        echoThread.start();
        int exactBackend = startTlsServer(TestCertificates.create(dir, "exact-backend", KeyForm.PKCS8_RSA,
                "DNS:abc.example.com"));
        int wildBackend = startTlsServer(TestCertificates.create(dir, "wild-backend", KeyForm.SEC1_EC,
                "DNS:*.example.com"));
        terminating = TestCertificates.create(dir, "terminate", KeyForm.PKCS1_RSA, "DNS:term.example.org");
        tcpPort = GatewayProcess.freePort();
        tlsPort = GatewayProcess.freePort();
        terminatePort = GatewayProcess.freePort();
        String config = Configs.gateway("""
                  - {name: tcp, protocol: TCP, port: %d}
                  - {name: tls, protocol: TLS, port: %d, hostname: "*.example.com", tls: {mode: Passthrough}}
                  - {name: term, protocol: TLS, port: %d, hostname: term.example.org, tls: {mode: Terminate, certificateRefs: [{name: terminate}]}}
                """.formatted(tcpPort, tlsPort, terminatePort))
                + terminating.secret()
                + Configs.service("echo", echo.getLocalPort())
                + Configs.service("exact", exactBackend)
                + Configs.service("wild", wildBackend)
                + route("v1alpha2", "TCPRoute", "echo", "tcp", null, "echo")
                + route("v1", "TLSRoute", "exact", "tls", "abc.example.com", "exact")
                + route("v1alpha2", "TLSRoute", "wild", "tls", "\"*.example.com\"", "wild")
                + route("v1", "TLSRoute", "term", "term", "term.example.org", "echo");
        Configs.write(dir.resolve("gateway.yaml"), config);
        accessLog = dir.resolve("access.log");
        gateway = GatewayProcess.start(dir, List.of("-Xmx256m"), List.of("--access-log", accessLog.toString()));
    }

    /** A TCPRoute or TLSRoute (of that apiVersion) from one listener of Gateway edge to a Service's port 80. */
    private static String route(String version, String kind, String name, String listener, String hostname,
                                String service) {
        return """
                ---
                apiVersion: gateway.networking.k8s.io/%s
                kind: %s
                metadata: {name: %s, namespace: default}
                spec:
                  parentRefs: [{name: edge, sectionName: %s}]
                """.formatted(version, kind, name, listener)
                + (hostname == null ? "" : "  hostnames: [" + hostname + "]\n")
                + "  rules: [{backendRefs: [{name: " + service + ", port: 80}]}]\n";
    }

    /** openssl s_server -www answers every connection with its own certificate; stdin is not read. */
    private static int startTlsServer(Pem pem) throws Exception {
        int port = GatewayProcess.freePort();
        Path key = dir.resolve(pem.name() + ".key");
        Process p = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert",
                pem.crt().toString(), "-key", key.toString(), "-www", "-quiet")
                .redirectErrorStream(true).redirectOutput(dir.resolve(pem.name() + ".log").toFile()).start();
        servers.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return port;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !p.isAlive()) {
                    throw new IllegalStateException("openssl s_server did not start on " + port);
                }
                Thread.sleep(100);
            }
        }
    }

    /** Echoes every chunk; after the client's end of stream, one last "<eof>" line, then closes. */
    private static void serveEcho() {
        while (!echo.isClosed()) {
            try {
                Socket s = echo.accept();
                Thread t = new Thread(() -> {
                    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        byte[] buf = new byte[8192];
                        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                            out.write(buf, 0, n);
                            out.flush();
                        }
                        out.write("<eof>\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException ignored) {
                        // the test reports what it did not receive
                    }
                });
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
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
        if (echo != null) {
            echo.close();
        }
    }

    @Test
    void bytesGoBothWaysAndTheEchoStillArrivesAfterTheClientShutsItsOutput() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", tcpPort), 10_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("hello\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(new String(in.readNBytes(6), StandardCharsets.US_ASCII)).isEqualTo("hello\n");
            // a large body, to cross the relay's watermarks in both directions
            byte[] big = new byte[1 << 20];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) ('a' + i % 26);
            }
            Thread writer = new Thread(() -> {
                try {
                    out.write(big);
                    out.write("bye\n".getBytes(StandardCharsets.US_ASCII));
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            in.transferTo(received);
            writer.join(30_000);
            byte[] all = received.toByteArray();
            assertThat(all.length).isEqualTo(big.length + "bye\n<eof>\n".length());
            assertThat(new String(all, big.length, all.length - big.length, StandardCharsets.US_ASCII))
                    .isEqualTo("bye\n<eof>\n");
        }
    }

    @Test
    void theServerNameSelectsTheBackendExactBeforeWildcardAndTheBackendTerminatesTls() throws Exception {
        assertThat(subject("-servername", "abc.example.com")).contains("CN = exact-backend");
        assertThat(subject("-servername", "shop.example.com")).contains("CN = wild-backend");
    }

    @Test
    void aConnectionWithoutServerNameOrWithAnUnroutedOneIsClosed() throws Exception {
        assertThat(subject("-servername", "shop.example.org")).doesNotContain("subject=");
        assertThat(subject("-noservername")).doesNotContain("subject=");
    }

    @Test
    void aTerminatingListenerHandshakesWithItsOwnCertificateAndRelaysTheDecryptedBytes() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("gateway", CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(terminating.crt())));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket()) {
            SSLParameters params = s.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName("term.example.org")));
            s.setSSLParameters(params);
            s.connect(new InetSocketAddress("127.0.0.1", terminatePort), 10_000);
            s.setSoTimeout(30_000);
            s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertThat(new String(s.getInputStream().readNBytes(6), StandardCharsets.US_ASCII)).isEqualTo("hello\n");
            assertThat(s.getSession().getPeerPrincipal().getName()).isEqualTo("CN=terminate");
        }
    }

    @Test
    void eachConnectionGetsOneAccessLogLineAndIsCounted() throws Exception {
        int clientPort;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", tcpPort), 10_000);
            s.setSoTimeout(30_000);
            clientPort = s.getLocalPort();
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("ping\n");
        }
        String tcp = AccessLogLines.await(accessLog, "\"client\":\"127.0.0.1:" + clientPort + "\"");
        assertThat(tcp).contains("\"protocol\":\"tcp\"", "\"route\":\"default/echo#0\"",
                "\"backend\":\"default/echo:80\"", "\"bytes_in\":5,", "\"failure\":null", "\"close\":\"");
        // a TLS name no route claims: closed, logged with the name and why
        subject("-servername", "unrouted.example.org");
        assertThat(AccessLogLines.await(accessLog, "\"host\":\"unrouted.example.org\"")).contains(
                "\"protocol\":\"tls\"", "\"route\":null", "\"failure\":\"no_route\"", "\"close\":\"no_route\"");
        String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                gateway.admin("/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("gatehouse_l4_sessions_total{backend=\"default/echo:80\",port=\"" + tcpPort
                + "\",protocol=\"tcp\",route=\"default/echo#0\"}", "gatehouse_l4_sessions_closed_total{port=\""
                + tlsPort + "\",protocol=\"tls\",reason=\"no_route\",route=\"none\"}");
    }

    private static String subject(String... sni) throws Exception {
        List<String> args = new ArrayList<>(List.of("s_client", "-connect", "127.0.0.1:" + tlsPort));
        args.addAll(List.of(sni));
        String out = TestCertificates.openssl(args);
        return out.lines().filter(l -> l.startsWith("subject=")).findFirst().orElse(out);
    }
}
