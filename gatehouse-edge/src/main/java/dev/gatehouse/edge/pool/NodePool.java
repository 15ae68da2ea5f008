package dev.gatehouse.edge.pool;

import dev.gatehouse.edge.EdgeOptions;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The current nodes and the choice of one per connection. Updates (from a {@link NodeSource}, any thread) swap an
 * immutable snapshot and keep each remaining node's state (its health and open connections); the relay's
 * {@link #pick} reads the snapshot without locking.
 */
public final class NodePool {
    private static final Logger LOG = LoggerFactory.getLogger(NodePool.class);

    /** The nodes and where each listen port's connections go on them. */
    public record Snapshot(List<NodeState> nodes, Map<Integer, Integer> nodePorts) {
    }

    private final EdgeOptions.Balance balance;
    private final EdgeOptions.HealthCheck check;
    private final MeterRegistry registry;
    private final AtomicInteger next = new AtomicInteger();
    private volatile Snapshot snapshot = new Snapshot(List.of(), Map.of());

    public NodePool(EdgeOptions.Balance balance, EdgeOptions.HealthCheck check, MeterRegistry registry) {
        this.balance = balance;
        this.check = check;
        this.registry = registry;
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /**
     * Takes a new node set; a node listed before (same name and address, resolving to the same IP) keeps its state.
     * Off the event loops: host names are looked up.
     */
    public synchronized Snapshot update(NodeSet set) {
        Map<EdgeNode, NodeState> before = new HashMap<>();
        for (NodeState s : snapshot.nodes()) {
            before.put(s.node(), s);
        }
        List<NodeState> nodes = new ArrayList<>(set.nodes().size());
        for (EdgeNode n : set.nodes()) {
            NodeState s = before.remove(n);
            if (s != null && !s.resolvesAsBefore()) {
                LOG.info("node {} ({}) resolves to another address now", n.name(), n.address());
                s.unregister(registry);
                s = null;
            }
            if (s == null && nodes.stream().noneMatch(x -> x.node().equals(n))) {
                s = new NodeState(n, check.healthyThreshold(), check.unhealthyThreshold(), registry);
                LOG.info("node {} ({}) joins", n.name(), n.address());
            }
            if (s != null) {
                nodes.add(s);
            }
        }
        for (NodeState gone : before.values()) {
            LOG.info("node {} ({}) leaves ({} connections stay open until they end)", gone.node().name(),
                    gone.node().address(), gone.open());
            gone.unregister(registry);
        }
        snapshot = new Snapshot(List.copyOf(nodes), set.nodePorts());
        return snapshot;
    }

    /**
     * The node for a new connection, never one already {@code tried} for it: the healthy node with the fewest open
     * connections (ties and round-robin take turns from a rotating start); when no untried healthy node is left,
     * an untried unhealthy one rather than refusing the client (a check can be wrong; a connect tells).
     *
     * @return {@code null} when every node was tried
     */
    public NodeState pick(List<NodeState> nodes, List<NodeState> tried) {
        int n = nodes.size();
        if (n == 0) {
            return null;
        }
        int start = Math.floorMod(next.getAndIncrement(), n);
        NodeState best = null;
        NodeState fallback = null;
        for (int i = 0; i < n; i++) {
            NodeState s = nodes.get((start + i) % n);
            if (tried.contains(s) || s.resolved() == null) {
                continue;
            }
            if (!s.healthy()) {
                if (fallback == null) {
                    fallback = s;
                }
                continue;
            }
            if (balance == EdgeOptions.Balance.ROUND_ROBIN) {
                return s;
            }
            if (best == null || s.open() < best.open()) {
                best = s;
            }
        }
        return best != null ? best : fallback;
    }

    /** True when at least one node takes connections. */
    public boolean anyHealthy() {
        for (NodeState s : snapshot.nodes()) {
            if (s.healthy()) {
                return true;
            }
        }
        return false;
    }
}
