package dev.gatehouse.routing.balance;

import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.PassiveHealthCheckSpec;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static dev.gatehouse.routing.Fixtures.cluster;
import static org.assertj.core.api.Assertions.assertThat;

/** Outlier detection's state machine on a fake clock: thresholds, growth, decay, the cap, the default. */
class OutlierDetectorTest {
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final List<String> ejections = new ArrayList<>();
    private final EndpointHealthRegistry registry = new EndpointHealthRegistry(HealthPolicy.passiveOnly(),
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), nanos::get);

    {
        registry.events(new HealthEvents() {
            @Override
            public void ejected(String cluster, String reason) {
                ejections.add(cluster + " " + reason);
            }
        });
    }

    private RoundRobinCluster cluster(PassiveHealthCheckSpec passive, int... ports) {
        ClusterSpec spec = dev.gatehouse.routing.Fixtures.cluster("ns/svc:80", ports);
        return RoundRobinCluster.compile(passive == null ? spec
                : spec.withTraffic(new BackendTrafficSpec("ns/p", null, null, passive, null, null, null, null)), registry);
    }

    private static PassiveHealthCheckSpec passive(Integer c5xx, Integer gateway, int maxPercent) {
        return new PassiveHealthCheckSpec(c5xx, gateway, null, false, Duration.ofSeconds(10), Duration.ofSeconds(1),
                maxPercent);
    }

    private static InetSocketAddress local(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void consecutive5xxEjectsForTheBaseTimeThenLongerTheSecondTime() {
        RoundRobinCluster c = cluster(passive(3, null, 50), 9001, 9002);
        EndpointHealth h = c.health().get(0);
        c.reportResponse(local(9001), 500);
        c.reportResponse(local(9001), 500);
        c.reportResponse(local(9001), 200); // the streak is broken
        c.reportResponse(local(9001), 500);
        c.reportResponse(local(9001), 503);
        assertThat(h.routable()).isTrue();
        c.reportResponse(local(9001), 500);
        assertThat(h.routable()).isFalse();
        assertThat(h.outlier().reason()).isEqualTo("3 consecutive 5xx, last: 500");
        assertThat(h.outlier().remainingNanos(nanos.get())).isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(ejections).containsExactly("ns/svc:80 consecutive_5xx");
        assertThat(c.pick()).isEqualTo(local(9002));
        assertThat(c.pick()).isEqualTo(local(9002));

        advance(Duration.ofSeconds(1));
        assertThat(h.routable()).isTrue();
        for (int i = 0; i < 3; i++) {
            c.reportResponse(local(9001), 502);
        }
        assertThat(h.routable()).isFalse();
        assertThat(h.outlier().remainingNanos(nanos.get())).isEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(h.outlier().ejections()).isEqualTo(2);
    }

    @Test
    void theMultiplierDecaysByOnePerIntervalSpentInRotation() {
        RoundRobinCluster c = cluster(passive(1, null, 50), 9001, 9002);
        EndpointHealth h = c.health().get(0);
        c.reportResponse(local(9001), 500);
        advance(Duration.ofSeconds(1));
        c.reportResponse(local(9001), 500);
        assertThat(h.outlier().multiplier()).isEqualTo(2);
        advance(Duration.ofSeconds(2)); // ejection over
        advance(Duration.ofSeconds(25)); // two intervals of 10 s in rotation: 2 -> 0
        c.reportResponse(local(9001), 500);
        assertThat(h.outlier().remainingNanos(nanos.get())).isEqualTo(Duration.ofSeconds(1).toNanos());
    }

    @Test
    void maxEjectionPercentRoundsDownAsEnvoyDoes() {
        // 10% of 4 endpoints: ejecting one would be 25%, so none is ejected
        RoundRobinCluster small = cluster(passive(1, null, 10), 9001, 9002, 9003, 9004);
        small.reportResponse(local(9001), 500);
        assertThat(small.health().get(0).routable()).isTrue();

        // 50% of 4: two at most
        RoundRobinCluster half = cluster(passive(1, null, 50), 9011, 9012, 9013, 9014);
        for (int port = 9011; port <= 9014; port++) {
            half.reportResponse(local(port), 500);
        }
        assertThat(half.health().stream().filter(EndpointHealth::routable).count()).isEqualTo(2);
    }

    @Test
    void gatewayErrorsAndConnectFailuresHaveTheirOwnStreak() {
        RoundRobinCluster c = cluster(passive(100, 2, 50), 9001, 9002);
        EndpointHealth h = c.health().get(0);
        c.reportFailure(local(9001), "connection refused");
        assertThat(h.routable()).isTrue();
        c.reportResponse(local(9001), 504);
        assertThat(h.routable()).isFalse();
        assertThat(h.outlier().code()).isEqualTo("consecutive_gateway_errors");
        // the default passive behaviour (connect failures within a window) is replaced, not added
        assertThat(h.verdict().state()).isEqualTo(HealthState.UNKNOWN);
    }

    @Test
    void splitLocalOriginFailuresCountApartFromAnswers() {
        RoundRobinCluster c = cluster(new PassiveHealthCheckSpec(2, null, 2, true, Duration.ofSeconds(3),
                Duration.ofSeconds(30), 50), 9001, 9002);
        EndpointHealth h = c.health().get(0);
        c.reportFailure(local(9001), "connection refused");
        c.reportResponse(local(9001), 500); // answers do not add to the local-origin streak...
        assertThat(h.routable()).isTrue();
        c.reportFailure(local(9001), "connection refused");
        assertThat(h.routable()).isFalse();
        assertThat(h.outlier().code()).isEqualTo("consecutive_local_origin_failures");
    }

    @Test
    void withoutAPassivePolicyAnswersAreNotCountedAndConnectFailuresEjectAsBefore() {
        RoundRobinCluster c = cluster(null, 9001, 9002);
        EndpointHealth h = c.health().get(0);
        for (int i = 0; i < 10; i++) {
            c.reportResponse(local(9001), 500);
        }
        assertThat(h.routable()).isTrue();
        assertThat(h.consecutive5xx.get()).isZero();
        for (int i = 0; i < 3; i++) {
            c.reportFailure(local(9001), "connection refused");
        }
        assertThat(h.verdict().state()).isEqualTo(HealthState.UNHEALTHY);
    }
}
