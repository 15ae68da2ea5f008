package dev.gatehouse.routing.runtime;

import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.routing.balance.EndpointHealth;
import dev.gatehouse.routing.balance.EndpointHealthRegistry;
import dev.gatehouse.routing.balance.HealthPolicy;
import dev.gatehouse.routing.balance.HealthState;
import dev.gatehouse.routing.balance.RoundRobinCluster;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.gatehouse.routing.Fixtures.cluster;
import static org.assertj.core.api.Assertions.assertThat;

/** Health lives in the long-lived registry, so it survives reloads whether a cluster is reused or rebuilt. */
class SnapshotCompilerHealthTest {
    private final EndpointHealthRegistry registry = new EndpointHealthRegistry(HealthPolicy.withActiveChecks());
    private final SnapshotCompiler compiler = new SnapshotCompiler(registry);

    private RuntimeSnapshot serve(long generation, RuntimeSnapshot previous, ClusterSpec... clusters) {
        RuntimeSnapshot next = compiler.compile(new Snapshot(generation, List.of(), List.of(clusters)), previous);
        registry.retain(next.clusters().values()); // what GatewayServer.apply does after the swap
        return next;
    }

    private static EndpointHealth health(RuntimeSnapshot s, String cluster, int index) {
        return ((RoundRobinCluster) s.cluster(cluster)).health().get(index);
    }

    @Test
    void clustersConsultTheRegistryAndKeepVerdictsAcrossReloads() {
        RuntimeSnapshot first = serve(1, null, cluster("ns/a:80", 9001, 9002), cluster("ns/b:80", 9002));
        EndpointHealth shared = health(first, "ns/a:80", 1);
        assertThat(health(first, "ns/b:80", 0)).isSameAs(shared);
        shared.probeFailed("connection refused");
        shared.probeFailed("connection refused");

        RuntimeSnapshot second = serve(2, first, cluster("ns/a:80", 9001, 9002), cluster("ns/b:80", 9002, 9003));
        assertThat(second.cluster("ns/a:80")).as("unchanged: reused").isSameAs(first.cluster("ns/a:80"));
        assertThat(second.cluster("ns/b:80")).as("changed: rebuilt").isNotSameAs(first.cluster("ns/b:80"));
        assertThat(health(second, "ns/b:80", 0)).isSameAs(shared);
        assertThat(shared.state()).isEqualTo(HealthState.UNHEALTHY);
        for (int i = 0; i < 10; i++) {
            assertThat(second.cluster("ns/b:80").pick().getPort()).isEqualTo(9003);
        }
    }

    @Test
    void anUnchangedClusterIsRebuiltWhenItsEntriesLeftTheRegistry() {
        RuntimeSnapshot first = serve(1, null, cluster("ns/a:80", 9001));
        RuntimeSnapshot gap = serve(2, first, cluster("ns/b:80", 9002));
        assertThat(registry.find(first.cluster("ns/a:80").endpoints().get(0))).isNull();
        // compiled against "first" as previous (say a reload raced a failed one): its stale entry must not be reused
        RuntimeSnapshot back = serve(3, first, cluster("ns/a:80", 9001));
        assertThat(back.cluster("ns/a:80")).isNotSameAs(first.cluster("ns/a:80"));
        assertThat(health(back, "ns/a:80", 0)).isSameAs(registry.find(back.cluster("ns/a:80").endpoints().get(0)));
        assertThat(gap.clusters()).containsOnlyKeys("ns/b:80");
    }
}
