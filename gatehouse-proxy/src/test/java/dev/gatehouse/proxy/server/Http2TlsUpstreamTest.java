package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.BackendProtocol;
import dev.gatehouse.ir.UpstreamTlsSpec;
import dev.gatehouse.proxy.testing.H2cBackend;
import dev.gatehouse.proxy.testing.RawHttp;
import dev.gatehouse.proxy.testing.TestCertificates;
import dev.gatehouse.proxy.testing.TestRouting;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.tls.UpstreamTls;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An h2c Service port under a BackendTLSPolicy: HTTP/2 over TLS, "h2" by ALPN, the policy's hostname verified;
 * concurrent requests of one event loop share one TLS connection as streams. A backend that does not select h2,
 * or whose certificate the policy's CA did not sign, is a 502 naming why.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Http2TlsUpstreamTest {
    @TempDir
    static Path dir;
    private static UpstreamTls trusting;
    private static UpstreamTls trustingAnother;

    private H2cBackend backend;
    private GatewayServer server;
    private int port;

    /** An h2c Service port a BackendTLSPolicy targets. */
    record H2TlsCluster(String name, List<InetSocketAddress> endpoints, UpstreamTls tls) implements Cluster {
        @Override
        public InetSocketAddress pick() {
            return endpoints.get(0);
        }

        @Override
        public BackendProtocol protocol() {
            return BackendProtocol.HTTP_2;
        }
    }

    @BeforeAll
    static void certificates() throws Exception {
        for (String name : List.of("backend", "other")) {
            TestCertificates.selfSigned(dir, name, "backend.test");
        }
        trusting = policy("backend");
        trustingAnother = policy("other");
    }

    private static UpstreamTls policy(String ca) throws Exception {
        return UpstreamTls.compile(new UpstreamTlsSpec("default/" + ca, "backend.test",
                List.of(new UpstreamTlsSpec.TrustedCa("ConfigMap default/" + ca, Files.readString(dir.resolve(ca + ".pem")))),
                List.of(), null));
    }

    private void start(String alpn, UpstreamTls tls) throws Exception {
        SslContext serverTls = SslContextBuilder.forServer(dir.resolve("backend.pem").toFile(),
                        dir.resolve("backend-key.pem").toFile())
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn))
                .build();
        backend = new H2cBackend(serverTls);
        port = ProxyIntegrationTest.freePort();
        // one event loop: every request uses the same pool, so the same h2 connection
        server = new GatewayServer(ServerOptions.defaults().withBindAddress("127.0.0.1").withIoThreads(1));
        H2TlsCluster cluster = new H2TlsCluster("default/grpc:50051", List.of(backend.address()), tls);
        server.apply(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(port, new TestRouter()
                .pathPrefix("/api", TestRoute.to(cluster)))));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void concurrentRequestsShareOneTlsConnectionAsStreams() throws Exception {
        start(ApplicationProtocolNames.HTTP_2, trusting);
        int n = 40;
        ExecutorService clients = Executors.newFixedThreadPool(n);
        try {
            List<Future<RawHttp.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String path = "/api/slow/" + i;
                replies.add(clients.submit(() -> get(path)));
            }
            for (int i = 0; i < n; i++) {
                RawHttp.Reply r = replies.get(i).get(30, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).endsWith("ok /api/slow/" + i);
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(backend.connections()).as("TLS h2 connections to the backend").isEqualTo(1);
        assertThat(backend.maxConcurrentStreams()).as("streams open at once on it").isGreaterThan(1);
    }

    @Test
    void aBackendThatDoesNotSelectH2Is502WithTheReason() throws Exception {
        start(ApplicationProtocolNames.HTTP_1_1, trusting);
        RawHttp.Reply r = get("/api/x");
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.text()).contains("TLS handshake failed: the backend did not select h2 by ALPN");
        assertThat(backend.requests()).isEmpty();
    }

    @Test
    void aCertificateThePolicysCaDidNotSignIs502WithTheReason() throws Exception {
        start(ApplicationProtocolNames.HTTP_2, trustingAnother);
        RawHttp.Reply r = get("/api/x");
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.text()).contains("TLS handshake failed");
        assertThat(backend.requests()).isEmpty();
    }

    private RawHttp.Reply get(String path) throws Exception {
        return RawHttp.send(port, "GET " + path + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 5000);
    }
}
