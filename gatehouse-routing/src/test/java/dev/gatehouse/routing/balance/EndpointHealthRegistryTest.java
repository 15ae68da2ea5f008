package dev.gatehouse.routing.balance;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static dev.gatehouse.routing.Fixtures.cluster;
import static org.assertj.core.api.Assertions.assertThat;

class EndpointHealthRegistryTest {
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final EndpointHealthRegistry registry = new EndpointHealthRegistry(HealthPolicy.passiveOnly(),
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), nanos::get);

    private static InetSocketAddress local(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    @Test
    void oneEntryPerAddressSharedByClusters() {
        RoundRobinCluster a = RoundRobinCluster.compile(cluster("ns/a:80", 9001, 9002), registry);
        RoundRobinCluster b = RoundRobinCluster.compile(cluster("ns/b:80", 9002), registry);
        assertThat(a.health().get(1)).isSameAs(b.health().get(0));
        registry.retain(List.of(a, b));
        assertThat(registry.find(local(9002)).clusters()).isEqualTo("ns/a:80, ns/b:80");
        assertThat(registry.find(local(9001)).state()).isEqualTo(HealthState.UNKNOWN);
    }

    @Test
    void retainDropsAddressesNoClusterListsAndAReturningOneStartsUnknown() {
        RoundRobinCluster first = RoundRobinCluster.compile(cluster("ns/a:80", 9001, 9002), registry);
        registry.retain(List.of(first));
        EndpointHealth old = registry.find(local(9002));
        old.probeFailed("refused");
        old.probeFailed("refused");
        assertThat(old.state()).isEqualTo(HealthState.UNHEALTHY);

        RoundRobinCluster second = RoundRobinCluster.compile(cluster("ns/a:80", 9001), registry);
        registry.retain(List.of(second));
        assertThat(registry.find(local(9002))).isNull();
        assertThat(registry.size()).isEqualTo(1);
        assertThat(first.boundTo(registry)).isFalse();

        RoundRobinCluster third = RoundRobinCluster.compile(cluster("ns/a:80", 9001, 9002), registry);
        registry.retain(List.of(third));
        assertThat(registry.find(local(9002)).state()).isEqualTo(HealthState.UNKNOWN);
        assertThat(third.boundTo(registry)).isTrue();
    }

    @Test
    void retainOfTheSameClustersAgainKeepsEverythingAndAChangedOneIsFollowed() {
        RoundRobinCluster a = RoundRobinCluster.compile(cluster("ns/a:80", 9001, 9002), registry);
        RoundRobinCluster b = RoundRobinCluster.compile(cluster("ns/b:80", 9003), registry);
        registry.retain(List.of(a, b));
        EndpointHealth kept = registry.find(local(9001));
        registry.retain(List.of(b, a)); // the same instances: a reload that changed no cluster
        assertThat(registry.find(local(9001))).isSameAs(kept);
        assertThat(registry.size()).isEqualTo(3);

        // b replaced by a cluster of the same name listing 9002 too: shared, 9003 gone
        RoundRobinCluster b2 = RoundRobinCluster.compile(cluster("ns/b:80", 9002), registry);
        registry.retain(List.of(a, b2));
        assertThat(registry.find(local(9003))).isNull();
        assertThat(registry.find(local(9002)).clusters()).isEqualTo("ns/a:80, ns/b:80");
        assertThat(registry.find(local(9001))).isSameAs(kept);

        // an entry created by a compile whose snapshot was never served is dropped by the next retain
        RoundRobinCluster.compile(cluster("ns/c:80", 9004), registry);
        registry.retain(List.of(a, b2));
        assertThat(registry.find(local(9004))).isNull();
    }

    @Test
    void aTimedEjectionEndsWhenReadAfterItsTime() {
        RoundRobinCluster c = RoundRobinCluster.compile(cluster("ns/a:80", 9001, 9002), registry);
        for (int i = 0; i < 3; i++) {
            c.reportFailure(local(9001), "connection refused");
        }
        EndpointHealth h = c.health().get(0);
        assertThat(h.routable()).isFalse();
        nanos.addAndGet(HealthPolicy.DEFAULT_EJECTION.toNanos());
        assertThat(h.routable()).isTrue();
        assertThat(h.state()).isEqualTo(HealthState.UNKNOWN);
        assertThat(h.verdict().lastFailure()).isEqualTo("connection refused");
    }

    @Test
    void reportsForAddressesOutsideTheClusterAreIgnored() {
        RoundRobinCluster c = RoundRobinCluster.compile(cluster("ns/a:80", 9001), registry);
        for (int i = 0; i < 5; i++) {
            c.reportFailure(local(9999), "refused");
        }
        assertThat(registry.find(local(9999))).isNull();
        assertThat(c.health().get(0).verdict().passiveFailures()).isZero();
    }
}
