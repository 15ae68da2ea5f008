package dev.gatehouse.routing.balance;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.gatehouse.routing.Fixtures.cluster;
import static org.assertj.core.api.Assertions.assertThat;

/** Round robin steered by health: skipping keeps equal shares, and no healthy endpoint means panic. */
class RoundRobinHealthTest {
    private final EndpointHealthRegistry registry = new EndpointHealthRegistry(HealthPolicy.withActiveChecks());

    private RoundRobinCluster cluster3() {
        return RoundRobinCluster.compile(cluster("ns/svc:80", 9001, 9002, 9003), registry);
    }

    private static void markUnhealthy(EndpointHealth h) {
        h.probeFailed("connection refused");
        h.probeFailed("connection refused");
        assertThat(h.state()).isEqualTo(HealthState.UNHEALTHY);
    }

    private static Map<Integer, Integer> shares(RoundRobinCluster c, int picks) {
        Map<Integer, Integer> counts = new TreeMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(c.pick().getPort(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void unknownAndHealthyEndpointsAreAllPicked() {
        RoundRobinCluster c = cluster3();
        c.health().get(0).probeSucceeded();
        assertThat(shares(c, 300)).isEqualTo(Map.of(9001, 100, 9002, 100, 9003, 100));
    }

    @Test
    void unhealthyEndpointsAreSkippedAndTheOthersKeepEqualShares() {
        RoundRobinCluster c = cluster3();
        markUnhealthy(c.health().get(1));
        assertThat(shares(c, 300)).isEqualTo(Map.of(9001, 150, 9003, 150));
    }

    @Test
    void skippingStillAlternates() {
        RoundRobinCluster c = RoundRobinCluster.compile(cluster("ns/svc:80", 9001, 9002, 9003, 9004), registry);
        markUnhealthy(c.health().get(1));
        markUnhealthy(c.health().get(2));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            order.add(c.pick().getPort());
        }
        assertThat(order).containsExactly(9001, 9004, 9001, 9004, 9001, 9004);
    }

    @Test
    void whenEveryEndpointIsUnhealthyAllAreTriedInTurn() {
        RoundRobinCluster c = cluster3();
        c.health().forEach(RoundRobinHealthTest::markUnhealthy);
        Map<Integer, Integer> counts = shares(c, 300);
        assertThat(counts).isEqualTo(Map.of(9001, 100, 9002, 100, 9003, 100));
    }

    @Test
    void aSingleEndpointIsAlwaysPicked() {
        RoundRobinCluster c = RoundRobinCluster.compile(cluster("ns/one:80", 9001), registry);
        markUnhealthy(c.health().get(0));
        assertThat(c.pick().getPort()).isEqualTo(9001);
    }

    @Test
    void recoveryReturnsTheEndpointToTheRotation() {
        RoundRobinCluster c = cluster3();
        EndpointHealth h = c.health().get(2);
        markUnhealthy(h);
        assertThat(shares(c, 30)).doesNotContainKey(9003);
        h.probeSucceeded();
        assertThat(shares(c, 30)).doesNotContainKey(9003);
        h.probeSucceeded();
        assertThat(shares(c, 30)).containsEntry(9003, 10);
    }

    @Test
    void passiveFailuresEjectThroughTheCluster() {
        RoundRobinCluster c = cluster3();
        InetSocketAddress dead = c.endpoints().get(0);
        c.reportFailure(dead, "connection refused");
        c.reportFailure(dead, "connection refused");
        assertThat(shares(c, 30)).containsKey(9001);
        c.reportFailure(dead, "connection refused");
        assertThat(shares(c, 30)).doesNotContainKey(9001);
    }

    @Test
    void pickDoesNotAllocate() {
        RoundRobinCluster c = cluster3();
        markUnhealthy(c.health().get(1));
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) {
            c.pick(); // warm up, so the interpreter's own allocations are gone
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            c.pick();
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).isLessThan(10_000);
    }
}
