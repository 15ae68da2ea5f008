package dev.gatehouse.proxy.health;

import dev.gatehouse.ir.ActiveHealthCheckSpec;
import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.UpstreamTlsSpec;
import dev.gatehouse.proxy.testing.TestCertificates;
import dev.gatehouse.routing.balance.EndpointHealth;
import dev.gatehouse.routing.balance.HealthState;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** HTTP checks of a backend behind a BackendTLSPolicy go over TLS, verified as the policy says. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsHealthCheckTest {
    @TempDir
    static Path dir;
    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @BeforeAll
    static void certificates() throws Exception {
        for (String name : List.of("backend", "other")) {
            TestCertificates.selfSigned(dir, name, "backend.test");
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeLater.size() - 1; i >= 0; i--) {
            closeLater.get(i).close();
        }
    }

    private static UpstreamTlsSpec trusting(String ca) throws Exception {
        return new UpstreamTlsSpec("default/" + ca, "backend.test", List.of(new UpstreamTlsSpec.TrustedCa(
                "ConfigMap default/" + ca, Files.readString(dir.resolve(ca + ".pem")))), List.of(), null);
    }

    @Test
    void anHttpCheckOfATlsBackendPassesOverVerifiedTlsAndFailsWhenTheCertificateIsNotTrusted() throws Exception {
        SslContext serverTls = SslContextBuilder.forServer(dir.resolve("backend.pem").toFile(),
                dir.resolve("backend-key.pem").toFile()).build();
        NamedBackend good = new NamedBackend("good", serverTls);
        closeLater.add(good);
        NamedBackend doubted = new NamedBackend("doubted", serverTls);
        closeLater.add(doubted);
        LoopbackGateway gateway = new LoopbackGateway(null);
        closeLater.add(gateway);
        ActiveHealthCheckSpec check = new ActiveHealthCheckSpec(ActiveHealthCheckSpec.Type.HTTP,
                Duration.ofSeconds(2), Duration.ofMillis(100), null, 1, 1,
                new ActiveHealthCheckSpec.HttpCheck("/healthz", null, null, List.of(200), "ok", null), null, null);
        BackendTrafficSpec traffic = new BackendTrafficSpec("default/checks", null, check, null, null, null, null, null);
        gateway.serve(LoopbackGateway.cluster("default/good:443@default/checks", good).withTls(trusting("backend"))
                        .withTraffic(traffic),
                LoopbackGateway.cluster("default/doubted:443@default/checks", doubted).withTls(trusting("other"))
                        .withTraffic(traffic));

        EndpointHealth g = gateway.health(good);
        EndpointHealth d = gateway.health(doubted);
        await().atMost(Duration.ofSeconds(15)).until(() -> g.state() == HealthState.HEALTHY
                && d.state() == HealthState.UNHEALTHY);
        assertThat(good.healthRequests.get()).isPositive();
        assertThat(doubted.healthRequests.get()).as("no request without a trusted handshake").isZero();
        assertThat(gateway.server.healthCheckOf(good.address())).isEqualTo("HTTP GET /healthz over TLS");
        assertThat(d.verdict().lastFailure()).startsWith("TLS handshake failed: ");
    }
}
