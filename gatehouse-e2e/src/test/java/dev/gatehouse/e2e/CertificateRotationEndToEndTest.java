package dev.gatehouse.e2e;

import dev.gatehouse.app.demo.EchoServer;
import dev.gatehouse.e2e.TestCertificates.KeyForm;
import dev.gatehouse.e2e.TestCertificates.Pem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Secret changed under load: keep-alive clients (one h2 connection, an HTTP/1.1 pool) keep requesting while
 * the listener's certificate is replaced. No request fails, new connections get the new certificate, and the
 * open connections go on with the one they started with.
 */
class CertificateRotationEndToEndTest {
    static final int THREADS = 4;
    static final int MAX_REQUESTS_PER_THREAD = 5_000;

    @TempDir
    Path dir;

    @Test
    void aRotatedCertificateServesNewConnectionsWithoutFailingOpenOnes() throws Exception {
        Pem v1 = TestCertificates.create(dir, "v1", KeyForm.PKCS1_RSA, "IP:127.0.0.1");
        Pem v2 = TestCertificates.create(dir, "v2", KeyForm.SEC1_EC, "IP:127.0.0.1");
        try (EchoServer echo = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "echo", "default")) {
            int port = GatewayProcess.freePort();
            String config = Configs.gateway("""
                      - {name: secure, protocol: HTTPS, port: %d, tls: {certificateRefs: [{name: site}]}}
                    """.formatted(port)) + Configs.service("echo", echo.address().getPort()) + Configs.route("echo", "x");
            Path secret = dir.resolve("secret.yaml");
            Configs.write(dir.resolve("gateway.yaml"), config);
            Configs.write(secret, site(v1).secret());
            try (GatewayProcess gateway = GatewayProcess.start(dir, "-Xmx256m")) {
                SSLContext trustBoth = trusting(v1.crt(), v2.crt());
                List<HttpClient> clients = List.of(
                        HttpClient.newBuilder().sslContext(trustBoth).version(HttpClient.Version.HTTP_2).build(),
                        HttpClient.newBuilder().sslContext(trustBoth).version(HttpClient.Version.HTTP_1_1).build());
                URI uri = URI.create("https://127.0.0.1:" + port + "/load");
                AtomicBoolean stop = new AtomicBoolean();
                AtomicBoolean rotated = new AtomicBoolean();
                AtomicLong ok = new AtomicLong();
                AtomicLong oldCertificateAfterRotation = new AtomicLong();
                ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
                ExecutorService load = Executors.newFixedThreadPool(THREADS);
                List<Future<?>> running = new java.util.ArrayList<>();
                for (int i = 0; i < THREADS; i++) {
                    HttpClient client = clients.get(i % clients.size());
                    running.add(load.submit(() -> {
                        for (int n = 0; n < MAX_REQUESTS_PER_THREAD && !stop.get(); n++) {
                            try {
                                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri)
                                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                                if (r.statusCode() != 200) {
                                    failures.add(r.statusCode() + " " + r.body());
                                    continue;
                                }
                                ok.incrementAndGet();
                                String cn = ((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0])
                                        .getSubjectX500Principal().getName();
                                if (rotated.get() && cn.equals("CN=v1")) {
                                    oldCertificateAfterRotation.incrementAndGet();
                                }
                            } catch (Exception e) {
                                failures.add(e.toString());
                            }
                        }
                        return null;
                    }));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() >= 100);
                Configs.write(secret, site(v2).secret());
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> serverCertificate(port).contains("CN = v2"));
                rotated.set(true);
                long atRotation = ok.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() >= atRotation + 100
                        || running.stream().allMatch(Future::isDone));
                stop.set(true);
                load.shutdown();
                assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
                assertThat(failures).as("failed requests").isEmpty();
                assertThat(ok.get()).isGreaterThan(atRotation);
                // the keep-alive connections opened before the change still used the old certificate
                assertThat(oldCertificateAfterRotation.get()).isPositive();
                assertThat(gateway.log()).doesNotContain("Exception");
            }
        }
    }

    /** The Secret every version is written to: the listener refers to it by name. */
    private static Pem site(Pem pem) {
        return new Pem("site", pem.crt(), pem.crtPem(), pem.keyPem());
    }

    private static String serverCertificate(int port) throws Exception {
        return TestCertificates.openssl(List.of("s_client", "-connect", "127.0.0.1:" + port, "-noservername"));
    }

    private static SSLContext trusting(Path... certificates) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (Path c : certificates) {
            try (InputStream in = Files.newInputStream(c)) {
                store.setCertificateEntry(c.getFileName().toString(), factory.generateCertificate(in));
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
