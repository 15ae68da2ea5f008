package dev.gatehouse.routing.runtime;

import dev.gatehouse.ir.FilterSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.routing.route.CompiledRoute;
import dev.gatehouse.routing.route.Route;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.gatehouse.routing.Fixtures.backend;
import static dev.gatehouse.routing.Fixtures.cluster;
import static dev.gatehouse.routing.Fixtures.exchange;
import static dev.gatehouse.routing.Fixtures.listener;
import static dev.gatehouse.routing.Fixtures.match;
import static dev.gatehouse.routing.Fixtures.prefix;
import static dev.gatehouse.routing.Fixtures.rule;
import static dev.gatehouse.routing.Fixtures.vhost;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A compiler keeps the compiled route of a rule it compiled for the previous snapshot (the same IR instance, as the
 * translator's EndpointSlice-only refresh keeps them) while the clusters it uses are the same instances; a rule whose
 * cluster (a backend's or a mirror's) changed, or a new rule instance, is compiled again. Whatever it reuses, the
 * result routes as a fresh compiler's does.
 */
class RouteReuseTest {
    /** Three hosts: a -> cluster a; b -> cluster b; c -> cluster a, mirrored to cluster b. */
    private static List<PortSpec> ports(String pathOfA) {
        return List.of(new PortSpec(18080, Protocol.HTTP, List.of(listener("http", null,
                vhost("a.example.com", rule("a", 0, match(prefix(pathOfA)), backend("ns/a:80", 1))),
                vhost("b.example.com", rule("b", 0, match(prefix("/")), backend("ns/b:80", 1))),
                vhost("c.example.com", rule("c", 0, match(prefix("/")),
                        List.of(new FilterSpec.RequestMirrorSpec("ns/b:80", 100)), backend("ns/a:80", 1)))))));
    }

    private static Snapshot snapshot(long generation, List<PortSpec> ports, int portOfB) {
        return new Snapshot(generation, ports, List.of(cluster("ns/a:80", 9001), cluster("ns/b:80", portOfB)));
    }

    @Test
    void theSameRulesOnTheSameClustersKeepEveryCompiledRoute() {
        SnapshotCompiler compiler = new SnapshotCompiler();
        List<PortSpec> ports = ports("/");
        RuntimeSnapshot first = compiler.compile(snapshot(1, ports, 9002), null);
        RuntimeSnapshot second = compiler.compile(snapshot(2, ports, 9002), first);

        assertThat(compiler.lastReused()).isEqualTo(3);
        assertThat(routes(second)).isEqualTo(routes(first));
        assertThat(second.describe()).isEqualTo(fresh(snapshot(2, ports("/"), 9002)).describe());
    }

    @Test
    void theRulesOfAChangedClusterAndNewRulesAreCompiledAgain() {
        SnapshotCompiler compiler = new SnapshotCompiler();
        List<PortSpec> ports = ports("/");
        RuntimeSnapshot first = compiler.compile(snapshot(1, ports, 9002), null);
        // only b's endpoints change: a's rule is kept, b's and c's (which mirrors to b) are compiled again
        RuntimeSnapshot second = compiler.compile(snapshot(2, ports, 9003), first);

        Map<String, CompiledRoute> before = routes(first);
        Map<String, CompiledRoute> after = routes(second);
        assertThat(compiler.lastReused()).isEqualTo(1);
        assertThat(after.get("a")).isSameAs(before.get("a"));
        assertThat(after.get("b")).isNotSameAs(before.get("b"));
        assertThat(after.get("c")).isNotSameAs(before.get("c"));
        assertThat(second.describe()).isEqualTo(fresh(snapshot(2, ports("/"), 9003)).describe());
        Route b = second.httpRouter(18080).route(exchange("GET", "/", "b.example.com"));
        assertThat(b.pickBackend().cluster()).isSameAs(second.cluster("ns/b:80"));
        assertThat(b.pickBackend().cluster().pick().getPort()).isEqualTo(9003);

        // a translation of a changed route: every rule a new instance, compiled again
        List<PortSpec> changed = ports("/v2");
        RuntimeSnapshot third = compiler.compile(snapshot(3, changed, 9003), second);
        assertThat(compiler.lastReused()).isZero();
        assertThat(routes(third).get("a")).isNotSameAs(after.get("a"));
        assertThat(third.describe()).isEqualTo(fresh(snapshot(3, ports("/v2"), 9003)).describe()).contains("/v2");
    }

    @Test
    void aPreviousSnapshotThisCompilerDidNotMakeLendsNothing() {
        SnapshotCompiler compiler = new SnapshotCompiler();
        List<PortSpec> ports = ports("/");
        RuntimeSnapshot elsewhere = new SnapshotCompiler().compile(snapshot(1, ports, 9002), null);
        compiler.compile(snapshot(1, ports, 9002), null);
        compiler.compile(snapshot(2, ports, 9002), elsewhere);
        assertThat(compiler.lastReused()).isZero();
    }

    private static RuntimeSnapshot fresh(Snapshot snapshot) {
        return new SnapshotCompiler().compile(snapshot, null);
    }

    private static Map<String, CompiledRoute> routes(RuntimeSnapshot runtime) {
        return runtime.httpRouter(18080).routes().stream()
                .collect(Collectors.toMap(r -> r.ref().name(), r -> r, (x, y) -> x));
    }

}
