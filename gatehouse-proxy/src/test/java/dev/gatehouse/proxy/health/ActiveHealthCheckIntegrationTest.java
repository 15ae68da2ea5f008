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
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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

    @Test
    void aBackendKilledUnderLoadIsEjectedWithinTheThresholdAndOnlyRequestsAlreadyOnItFail() throws Exception {
        NamedBackend a = later(new NamedBackend("a"));
        NamedBackend b = later(new NamedBackend("b"));
        NamedBackend c = later(new NamedBackend("c"));
        gateway(null).serve(withCheck(LoopbackGateway.cluster("default/echo:80@default/checks", a, b, c),
                http(null, 2, 1)));
        EndpointHealth hb = gateway.health(b);
        await().atMost(Duration.ofSeconds(10)).until(() -> state(gateway.health(a)) == HealthState.HEALTHY
                && state(hb) == HealthState.HEALTHY && state(gateway.health(c)) == HealthState.HEALTHY);

        int clients = 4;
        int maxRequests = 4_000;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        AtomicInteger started = new AtomicInteger();
        AtomicLong ejectedAt = new AtomicLong(Long.MAX_VALUE);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger afterEjection = new AtomicInteger();
        ExecutorService load = Executors.newFixedThreadPool(clients);
        closeLater.add(load::shutdownNow);
        for (int i = 0; i < clients; i++) {
            load.submit(() -> {
                while (started.incrementAndGet() <= maxRequests && System.nanoTime() < deadline) {
                    long start = System.nanoTime();
                    String outcome;
                    try {
                        HttpResponse<String> r = gateway.get();
                        outcome = r.statusCode() == 200 ? null : r.statusCode() + " " + r.body();
                    } catch (IOException | InterruptedException e) {
                        outcome = e.toString();
                    }
                    boolean late = start > ejectedAt.get();
                    if (outcome != null) {
                        failures.add((late ? "after ejection: " : "") + outcome);
                    } else if (late) {
                        afterEjection.incrementAndGet();
                    }
                }
                return null;
            });
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> started.get() >= 400);
        long killed = System.nanoTime();
        b.stop();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> !hb.routable());
        ejectedAt.set(System.nanoTime());
        int bServedAtEjection = b.requests.get();
        load.shutdown();
        assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        long ejectionMillis = TimeUnit.NANOSECONDS.toMillis(ejectedAt.get() - killed);
        System.out.printf("killed backend out of rotation after %d ms; %d requests, %d failed: %s%n", ejectionMillis,
                Math.min(started.get(), maxRequests), failures.size(), failures);
        // 2 probes 100 ms apart (or 3 failed requests) take it out; a busy machine gets generous slack
        assertThat(ejectionMillis).isLessThan(5_000);
        assertThat(failures).noneMatch(f -> f.startsWith("after ejection"));
        // what was on b when it died (one per client at most), and the few connects refused before the verdict
        assertThat(failures.size()).isLessThanOrEqualTo(clients + 3);
        assertThat(afterEjection.get()).as("the load went on over a and c").isPositive();
        assertThat(b.requests.get()).isEqualTo(bServedAtEjection);
    }
}
