package dev.gatehouse.edge.pool;

import dev.gatehouse.edge.EdgeOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NodePoolTest {
    private static final EdgeOptions.HealthCheck CHECK = new EdgeOptions.HealthCheck(null, 0, Duration.ofSeconds(1),
            Duration.ofSeconds(1), 2, 2);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static NodeSet set(String... addresses) {
        List<EdgeNode> nodes = new ArrayList<>();
        for (String a : addresses) {
            nodes.add(new EdgeNode(a, a));
        }
        return new NodeSet(nodes, Map.of(80, 30080));
    }

    @Test
    void leastConnectionsPicksTheNodeWithFewestOpen() {
        NodePool pool = new NodePool(EdgeOptions.Balance.LEAST_CONNECTIONS, CHECK, registry);
        List<NodeState> nodes = pool.update(set("10.0.0.1", "10.0.0.2", "10.0.0.3")).nodes();
        nodes.get(0).opened();
        nodes.get(0).opened();
        nodes.get(2).opened();
        for (int i = 0; i < 5; i++) {
            assertThat(pool.pick(nodes, List.of())).isSameAs(nodes.get(1));
        }
        nodes.get(1).opened();
        nodes.get(1).opened();
        assertThat(pool.pick(nodes, List.of())).isSameAs(nodes.get(2));
    }

    @Test
    void roundRobinTakesTurnsAndSkipsUnhealthyNodes() {
        NodePool pool = new NodePool(EdgeOptions.Balance.ROUND_ROBIN, CHECK, registry);
        List<NodeState> nodes = pool.update(set("10.0.0.1", "10.0.0.2", "10.0.0.3")).nodes();
        List<NodeState> picked = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picked.add(pool.pick(nodes, List.of()));
        }
        for (NodeState n : nodes) {
            assertThat(picked).filteredOn(p -> p == n).hasSize(2);
        }
        nodes.get(1).checkFailed("down");
        nodes.get(1).checkFailed("down");
        for (int i = 0; i < 6; i++) {
            assertThat(pool.pick(nodes, List.of())).isNotSameAs(nodes.get(1));
        }
    }

    @Test
    void aRetryNeverPicksANodeAlreadyTriedAndFallsBackOnAnUnhealthyOneLast() {
        NodePool pool = new NodePool(EdgeOptions.Balance.LEAST_CONNECTIONS, CHECK, registry);
        List<NodeState> nodes = pool.update(set("10.0.0.1", "10.0.0.2")).nodes();
        nodes.get(1).connectFailed("refused");
        nodes.get(1).connectFailed("refused");
        assertThat(nodes.get(1).healthy()).isFalse();
        assertThat(pool.pick(nodes, List.of())).isSameAs(nodes.get(0));
        assertThat(pool.pick(nodes, List.of(nodes.get(0)))).isSameAs(nodes.get(1));
        assertThat(pool.pick(nodes, List.of(nodes.get(0), nodes.get(1)))).isNull();
    }

    @Test
    void thresholdsDecideWhenANodeLeavesAndComesBack() {
        NodePool pool = new NodePool(EdgeOptions.Balance.LEAST_CONNECTIONS, CHECK, registry);
        NodeState n = pool.update(set("10.0.0.1")).nodes().get(0);
        n.checkFailed("timeout");
        assertThat(n.healthy()).isTrue();
        n.connected(); // a client got through: failures are no longer consecutive
        n.checkFailed("timeout");
        assertThat(n.healthy()).isTrue();
        n.checkFailed("timeout");
        assertThat(n.healthy()).isFalse();
        assertThat(n.why()).isEqualTo("timeout");
        n.checkPassed("ok");
        assertThat(n.healthy()).isFalse();
        n.checkPassed("ok");
        assertThat(n.healthy()).isTrue();
        assertThat(pool.anyHealthy()).isTrue();
    }

    @Test
    void anUpdateKeepsTheStateOfNodesStillListedAndDropsTheMetricsOfOthers() {
        NodePool pool = new NodePool(EdgeOptions.Balance.LEAST_CONNECTIONS, CHECK, registry);
        NodeState kept = pool.update(set("10.0.0.1", "10.0.0.2")).nodes().get(0);
        kept.opened();
        List<NodeState> after = pool.update(set("10.0.0.1", "10.0.0.3")).nodes();
        assertThat(after.get(0)).isSameAs(kept);
        assertThat(after.get(0).open()).isEqualTo(1);
        assertThat(after.get(1).node().address()).isEqualTo("10.0.0.3");
        assertThat(registry.find("gatehouse.edge.connections").tag("node", "10.0.0.2").counter()).isNull();
        assertThat(registry.find("gatehouse.edge.connections").tag("node", "10.0.0.3").counter()).isNotNull();
    }

    @Test
    void aNameThatDoesNotResolveIsOutAndNeverPicked() {
        NodePool pool = new NodePool(EdgeOptions.Balance.LEAST_CONNECTIONS, CHECK, registry);
        List<NodeState> nodes = pool.update(set("no-such-node.invalid")).nodes();
        assertThat(nodes.get(0).healthy()).isFalse();
        assertThat(nodes.get(0).why()).contains("cannot resolve");
        assertThat(pool.pick(nodes, List.of())).isNull();
    }

    @Test
    void aStaticSourceReloadPassesTheSameSetAgainAndANameResolvingAsBeforeKeepsItsState() {
        NodePool pool = new NodePool(EdgeOptions.Balance.LEAST_CONNECTIONS, CHECK, registry);
        List<NodeSet> seen = new ArrayList<>();
        StaticNodeSource source = new StaticNodeSource(set("localhost"));
        source.start(s -> seen.add(s));
        NodeState before = pool.update(seen.get(0)).nodes().get(0);
        before.opened();
        source.reload();
        assertThat(seen).hasSize(2);
        assertThat(pool.update(seen.get(1)).nodes().get(0)).isSameAs(before);
        source.close();
        source.reload();
        assertThat(seen).hasSize(2);
    }
}
