package dev.gatehouse.proxy.health;

import dev.gatehouse.ir.ActiveHealthCheckSpec;
import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.routing.balance.EndpointHealth;
import dev.gatehouse.routing.balance.HealthState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A policy's healthCheck.active (HTTP, GRPC, TCP) probing real loopback backends through a real gateway. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ActiveHealthCheckIntegrationTest {
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private LoopbackGateway gateway;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeLater.size() - 1; i >= 0; i--) {
            closeLater.get(i).close();
        }
    }

    private <T extends AutoCloseable> T later(T c) {
        closeLater.add(c);
        return c;
    }

    private LoopbackGateway gateway(HealthCheckOptions cli) throws IOException {
        gateway = later(new LoopbackGateway(cli));
        return gateway;
    }

    private static ActiveHealthCheckSpec http(String expectedText, int unhealthy, int healthy) {
        return new ActiveHealthCheckSpec(ActiveHealthCheckSpec.Type.HTTP, Duration.ofSeconds(2), INTERVAL, null,
                unhealthy, healthy, new ActiveHealthCheckSpec.HttpCheck("/healthz", null, "health.example",
                List.of(200), expectedText, null), null, null);
    }

    private static ClusterSpec withCheck(ClusterSpec spec, ActiveHealthCheckSpec check) {
        return spec.withTraffic(new BackendTrafficSpec("default/checks", null, check, null, null, null, null, null));
    }

    private static HealthState state(EndpointHealth h) {
        return h.state();
    }

    @Test
    void anHttpCheckFlipsAfterTheThresholdsAndSteersTraffic() throws Exception {
        NamedBackend a = later(new NamedBackend("a"));
        NamedBackend b = later(new NamedBackend("b"));
        gateway(null).serve(withCheck(LoopbackGateway.cluster("default/echo:80@default/checks", a, b),
                http(null, 3, 2)));
        EndpointHealth hb = gateway.health(b);
        await().atMost(Duration.ofSeconds(10)).until(() -> state(hb) == HealthState.HEALTHY);
        assertThat(gateway.server.healthCheckOf(b.address())).isEqualTo("HTTP GET /healthz");

        int before = b.healthRequests.get();
        b.healthStatus = 503;
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> state(hb) == HealthState.UNHEALTHY);
        // the probe in flight at the flip may still have seen 200; then three 503s
        assertThat(b.healthRequests.get() - before).isBetween(3, 5);
        assertThat(hb.verdict().lastFailure()).isEqualTo("HTTP 503");
        assertThat(gateway.send(10)).isEqualTo(Map.of("200 a", 10));

        before = b.healthRequests.get();
        b.healthStatus = 200;
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> state(hb) == HealthState.HEALTHY);
        assertThat(b.healthRequests.get() - before).isBetween(2, 4);
        assertThat(gateway.send(10)).isEqualTo(Map.of("200 a", 5, "200 b", 5));
    }

    @Test
    void anExpectedTextTheBodyLacksFailsTheCheck() throws Exception {
        NamedBackend a = later(new NamedBackend("a"));
        a.healthBody = "status: degraded";
        gateway(null).serve(withCheck(LoopbackGateway.cluster("default/echo:80@default/checks", a),
                http("status: ok", 1, 1)));
        EndpointHealth h = gateway.health(a);
        await().atMost(Duration.ofSeconds(10)).until(() -> state(h) == HealthState.UNHEALTHY);
        assertThat(h.verdict().lastFailure()).isEqualTo("response body does not contain \"status: ok\"");
        a.healthBody = "{\"status: ok\"}";
        await().atMost(Duration.ofSeconds(10)).until(() -> state(h) == HealthState.HEALTHY);
    }

    @Test
    void aGrpcCheckFollowsTheServingStatusOfItsService() throws Exception {
        GrpcHealthBackend grpc = later(new GrpcHealthBackend());
        grpc.statuses.put("echo.Echo", 1);
        InetSocketAddress address = grpc.address();
        ClusterSpec spec = new ClusterSpec("default/grpc:50051@default/checks",
                List.of(new ClusterSpec.EndpointSpec("127.0.0.1", address.getPort())),
                ClusterSpec.LoadBalancerType.ROUND_ROBIN);
        gateway(null).serve(withCheck(spec, new ActiveHealthCheckSpec(ActiveHealthCheckSpec.Type.GRPC,
                Duration.ofSeconds(2), INTERVAL, null, 2, 1, null, "echo.Echo", null)));
        EndpointHealth h = gateway.server.health().find(address);
        await().atMost(Duration.ofSeconds(10)).until(() -> state(h) == HealthState.HEALTHY);

        grpc.statuses.put("echo.Echo", 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> state(h) == HealthState.UNHEALTHY);
        assertThat(h.verdict().lastFailure()).isEqualTo("NOT_SERVING");
        grpc.statuses.put("echo.Echo", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> state(h) == HealthState.HEALTHY);
        grpc.statuses.remove("echo.Echo");
        await().atMost(Duration.ofSeconds(10)).until(() -> state(h) == HealthState.UNHEALTHY);
        assertThat(h.verdict().lastFailure()).isEqualTo("grpc-status 5");
    }

    @Test
    void clustersSharingAnEndpointAndACheckShareItsProbesAndTheCliCheckCoversTheRest() throws Exception {
        NamedBackend shared = later(new NamedBackend("shared"));
        NamedBackend plain = later(new NamedBackend("plain"));
        gateway(new HealthCheckOptions(INTERVAL, Duration.ofSeconds(1)));
        ActiveHealthCheckSpec check = http(null, 2, 1);
        gateway.serve(withCheck(LoopbackGateway.cluster("default/one:80@default/checks", shared), check),
                withCheck(LoopbackGateway.cluster("default/two:80@default/checks", shared), check),
                LoopbackGateway.cluster("default/plain:80", plain));
        await().atMost(Duration.ofSeconds(10)).until(() -> state(gateway.health(shared)) == HealthState.HEALTHY
                && state(gateway.health(plain)) == HealthState.HEALTHY);
        assertThat(gateway.server.healthCheckOf(shared.address())).isEqualTo("HTTP GET /healthz");
        assertThat(gateway.server.healthCheckOf(plain.address())).isEqualTo("TCP");
        // one prober for the shared endpoint: about one probe per interval, not two
        int start = shared.healthRequests.get();
        Thread.sleep(1_000);
        int probes = shared.healthRequests.get() - start;
        assertThat(probes).isBetween(1, 12);
        assertThat(plain.healthRequests.get()).as("the CLI's check is a TCP connect").isZero();
    }
}
