package dev.gatehouse.edge.health;

import dev.gatehouse.edge.EdgeOptions;
import dev.gatehouse.edge.pool.NodePool;
import dev.gatehouse.edge.pool.NodeState;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One {@link NodeProber} per node of the pool, kept in step with it: a node that joins is checked from a random
 * point of the first interval (so many nodes' checks spread out), one that leaves is no longer checked.
 */
public final class HealthChecks implements AutoCloseable {
    private final EventLoopGroup group;
    private final Class<? extends Channel> channelClass;
    private final EdgeOptions.HealthCheck check;
    private final EdgeOptions.ProxyProtocol proxyProtocol;
    private final int firstListenPort;
    private final Map<NodeState, NodeProber> probers = new IdentityHashMap<>();

    public HealthChecks(EventLoopGroup group, Class<? extends Channel> channelClass, EdgeOptions options) {
        this.group = group;
        this.channelClass = channelClass;
        this.check = options.healthCheck();
        this.proxyProtocol = options.proxyProtocol();
        this.firstListenPort = options.listen().get(0).getPort();
    }

    /** Checks exactly the snapshot's nodes, on the port the options name. */
    public synchronized void sync(NodePool.Snapshot snapshot) {
        Integer firstNodePort = snapshot.nodePorts().get(firstListenPort);
        int port = check.port() != 0 ? check.port() : firstNodePort == null ? 0 : firstNodePort;
        // a port the relay sends PROXY headers to expects one from the checks too (v2 LOCAL: "my own check")
        EdgeOptions.ProxyProtocol header = snapshot.nodePorts().containsValue(port) ? proxyProtocol
                : EdgeOptions.ProxyProtocol.OFF;
        Map<NodeState, NodeProber> keep = new HashMap<>();
        for (NodeState node : snapshot.nodes()) {
            NodeProber p = probers.remove(node);
            if (p == null) {
                p = new NodeProber(node, check, group.next(), channelClass);
                p.target(port, header);
                p.start(ThreadLocalRandom.current().nextLong(Math.max(1, check.interval().toNanos())));
            } else {
                p.target(port, header);
            }
            keep.put(node, p);
        }
        probers.values().forEach(NodeProber::stop);
        probers.clear();
        probers.putAll(keep);
    }

    @Override
    public synchronized void close() {
        probers.values().forEach(NodeProber::stop);
        probers.clear();
    }
}
