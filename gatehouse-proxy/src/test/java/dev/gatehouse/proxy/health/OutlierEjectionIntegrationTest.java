package dev.gatehouse.proxy.health;

import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.PassiveHealthCheckSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.proxy.server.ServerOptions;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import dev.gatehouse.routing.balance.EndpointHealth;
import dev.gatehouse.routing.balance.OutlierState;
import dev.gatehouse.routing.balance.RoundRobinCluster;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Outlier detection ({@code healthCheck.passive}) on real answers from real loopback backends. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OutlierEjectionIntegrationTest {
    private static final String CLUSTER = "default/echo:80@default/outliers";
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private GatewayServer gateway;
    private int port;

    @AfterEach
    void tearDown() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        for (int i = closeLater.size() - 1; i >= 0; i--) {
            closeLater.get(i).close();
        }
    }

    private NamedBackend backend(String name) {
        NamedBackend b = new NamedBackend(name);
        closeLater.add(b);
        return b;
    }

    private RoundRobinCluster serve(PassiveHealthCheckSpec passive, NamedBackend... backends) throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        gateway = new GatewayServer(new ServerOptions("127.0.0.1", 2, Duration.ofSeconds(2), Duration.ofSeconds(20),
                Duration.ofSeconds(1), Duration.ofSeconds(5), 16 * 1024, 4096));
        List<ClusterSpec.EndpointSpec> endpoints = new ArrayList<>();
        for (NamedBackend b : backends) {
            endpoints.add(new ClusterSpec.EndpointSpec("127.0.0.1", b.address().getPort()));
        }
        ClusterSpec spec = new ClusterSpec(CLUSTER, endpoints, ClusterSpec.LoadBalancerType.ROUND_ROBIN)
                .withTraffic(new BackendTrafficSpec("default/outliers", null, null, passive, null, null, null, null));
        RoundRobinCluster cluster = RoundRobinCluster.compile(spec, gateway.health());
        HttpPortRouter router = new TestRouter().when(ex -> true, TestRoute.to(cluster));
        Snapshot source = new Snapshot(1, List.of(new PortSpec(port, Protocol.HTTP, List.of())), List.of(spec));
        gateway.apply(new RuntimeSnapshot(source, Map.of(port, router), Map.of(CLUSTER, cluster)));
        return cluster;
    }

    /** Sends {@code n} requests one after another; counts by "status body". */
    private Map<String, Integer> send(int n) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(5)).build(), BodyHandlers.ofString());
            counts.merge(r.statusCode() + " " + r.body(), 1, Integer::sum);
        }
        return counts;
    }

    private OutlierState outlier(NamedBackend b) {
        EndpointHealth h = gateway.health().find(b.address());
        return h.outlier();
    }

    @Test
    void aBackendAnswering500IsEjectedComesBackAndIsEjectedLongerTheSecondTime() throws Exception {
        NamedBackend a = backend("a");
        NamedBackend b = backend("b");
        NamedBackend c = backend("c");
        // a long review interval: the multiplier does not decay during the test
        serve(new PassiveHealthCheckSpec(3, null, null, false, Duration.ofMinutes(5), Duration.ofSeconds(2), 50),
                a, b, c);
        assertThat(send(9)).isEqualTo(Map.of("200 a", 3, "200 b", 3, "200 c", 3));

        b.status = 500;
        Map<String, Integer> first = send(30);
        assertThat(first.get("500 b")).as("ejected after 3 consecutive 5xx").isEqualTo(3);
        assertThat(first.get("200 a") + first.get("200 c")).isEqualTo(27);
        OutlierState ejected = outlier(b);
        assertThat(ejected.ejected()).isTrue();
        assertThat(ejected.code()).isEqualTo("consecutive_5xx");
        assertThat(ejected.reason()).isEqualTo("3 consecutive 5xx, last: 500");
        assertThat(ejected.ejections()).isEqualTo(1);

        // back after baseEjectionTime, still failing: ejected again, for 2 × base
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> !outlier(b).ejected());
        Map<String, Integer> second = send(30);
        assertThat(second.get("500 b")).isEqualTo(3);
        OutlierState again = outlier(b);
        assertThat(again.ejected()).isTrue();
        assertThat(again.ejections()).isEqualTo(2);
        assertThat(again.multiplier()).isEqualTo(2);
        assertThat(again.untilNanos() - again.multiplierAtNanos()).isEqualTo(Duration.ofSeconds(4).toNanos());

        // recovered: it takes its share again once the ejection is over
        b.status = 200;
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> !outlier(b).ejected());
        assertThat(send(30)).isEqualTo(Map.of("200 a", 10, "200 b", 10, "200 c", 10));
    }

    @Test
    void maxEjectionPercentKeepsHalfOfTheEndpointsInRotation() throws Exception {
        NamedBackend[] backends = {backend("a"), backend("b"), backend("c"), backend("d")};
        serve(new PassiveHealthCheckSpec(2, null, null, false, Duration.ofMinutes(5), Duration.ofMinutes(1), 50),
                backends);
        for (NamedBackend b : backends) {
            b.status = 503;
        }
        Map<String, Integer> answers = send(40);
        assertThat(answers.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(40);
        long ejected = java.util.Arrays.stream(backends).filter(b -> outlier(b).ejected()).count();
        assertThat(ejected).as("50% of 4").isEqualTo(2);
        // the two left in rotation take every request
        Map<String, Integer> after = send(10);
        assertThat(after).hasSize(2);
    }

    @Test
    void tenPercentOfFourEndpointsEjectsNone() throws Exception {
        NamedBackend[] backends = {backend("a"), backend("b"), backend("c"), backend("d")};
        serve(new PassiveHealthCheckSpec(2, null, null, false, Duration.ofMinutes(5), Duration.ofMinutes(1), 10),
                backends);
        backends[0].status = 500;
        assertThat(send(20).get("500 a")).isEqualTo(5);
        assertThat(outlier(backends[0]).ejected()).isFalse();
    }
}
