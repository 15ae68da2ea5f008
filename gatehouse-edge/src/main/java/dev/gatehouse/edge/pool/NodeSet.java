package dev.gatehouse.edge.pool;

import java.util.List;
import java.util.Map;

/**
 * The nodes to balance across and where each listener's connections go on them.
 *
 * @param nodes the nodes, in a stable order
 * @param nodePorts listen port -> node port (80 -> 30080)
 */
public record NodeSet(List<EdgeNode> nodes, Map<Integer, Integer> nodePorts) {
    public NodeSet {
        nodes = List.copyOf(nodes);
        nodePorts = Map.copyOf(nodePorts);
    }
}
