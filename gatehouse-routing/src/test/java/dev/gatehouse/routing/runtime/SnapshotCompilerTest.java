package dev.gatehouse.routing.runtime;

import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.route.Route;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.gatehouse.routing.Fixtures.backend;
import static dev.gatehouse.routing.Fixtures.cluster;
import static dev.gatehouse.routing.Fixtures.exchange;
import static dev.gatehouse.routing.Fixtures.listener;
import static dev.gatehouse.routing.Fixtures.match;
import static dev.gatehouse.routing.Fixtures.prefix;
import static dev.gatehouse.routing.Fixtures.regex;
import static dev.gatehouse.routing.Fixtures.rule;
import static dev.gatehouse.routing.Fixtures.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapshotCompilerTest {
    private final SnapshotCompiler compiler = new SnapshotCompiler();

    private static ListenerSpec simpleListener(String cluster) {
        return listener("http", null, vhost("*", rule("r", 0, match(prefix("/")), backend(cluster, 1))));
    }

    private static Snapshot snapshot(long generation, List<ClusterSpec> clusters) {
        return new Snapshot(generation, List.of(
                new PortSpec(18080, Protocol.HTTP, List.of(simpleListener("ns/a:80"))),
                new PortSpec(18443, Protocol.HTTPS, List.of(simpleListener("ns/a:80"))),
                new PortSpec(19300, Protocol.TCP, List.of())), clusters);
    }

    @Test
    void compilesHttpAndHttpsPortsOnly() {
        RuntimeSnapshot runtime = compiler.compile(snapshot(7, List.of(cluster("ns/a:80", 9001))), null);
        assertThat(runtime.generation()).isEqualTo(7);
        assertThat(runtime.httpRouters()).containsOnlyKeys(18080, 18443);
        assertThat(runtime.httpRouter(19300)).isNull();
        HttpPortRouter router = runtime.httpRouter(18080);
        Route route = router.route(exchange("GET", "/x", "example.com"));
        assertThat(route.pickBackend().cluster()).isSameAs(runtime.cluster("ns/a:80"));
        assertThat(route.pickBackend().cluster().pick().getPort()).isEqualTo(9001);
        assertThat(runtime.describe()).contains("generation 7", "port 18080 HTTP", "port 18443 HTTPS", "ns/a:80 w=1");
    }

    @Test
    void unchangedClustersSurviveAReloadChangedOnesAreRebuilt() {
        RuntimeSnapshot first = compiler.compile(snapshot(1, List.of(cluster("ns/a:80", 9001), cluster("ns/b:80", 9002))), null);
        RuntimeSnapshot second = compiler.compile(snapshot(2, List.of(cluster("ns/a:80", 9001), cluster("ns/b:80", 9003))), first);
        assertThat(second.cluster("ns/a:80")).isSameAs(first.cluster("ns/a:80"));
        assertThat(second.cluster("ns/b:80")).isNotSameAs(first.cluster("ns/b:80"));
        assertThat(second.cluster("ns/b:80").pick().getPort()).isEqualTo(9003);
    }

    @Test
    void errorsNameTheRouteOrCluster() {
        Snapshot badRegex = new Snapshot(3, List.of(new PortSpec(18080, Protocol.HTTP, List.of(
                listener("http", null, vhost("*", rule("bad-route", 4, match(regex("(")), backend("ns/a:80", 1))))))),
                List.of(cluster("ns/a:80", 9001)));
        assertThatThrownBy(() -> compiler.compile(badRegex, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HTTPRoute ns/bad-route rule 4");

        Snapshot badEndpoint = new Snapshot(4, List.of(), List.of(new ClusterSpec("ns/x:80",
                List.of(new ClusterSpec.EndpointSpec("backend.local", 80)), ClusterSpec.LoadBalancerType.ROUND_ROBIN)));
        assertThatThrownBy(() -> compiler.compile(badEndpoint, null)).hasMessageContaining("ns/x:80");
    }

    @Test
    void emptySnapshotAndHolderSwap() {
        RuntimeSnapshot empty = compiler.compile(Snapshot.empty(), null);
        assertThat(empty.httpRouters()).isEmpty();
        SnapshotHolder holder = new SnapshotHolder(RuntimeSnapshot.empty());
        RuntimeSnapshot next = compiler.compile(snapshot(9, List.of(cluster("ns/a:80", 9001))), holder.current());
        assertThat(holder.swap(next).generation()).isZero();
        assertThat(holder.current()).isSameAs(next);
        assertThat(new RuntimeSnapshot(Snapshot.empty(), Map.of()).clusters()).isEmpty();
    }
}
