package dev.gatehouse.edge.pool;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One node as the edge sees it: its resolved address, its health (active checks and client connect failures,
 * each counted against the thresholds) and its traffic. The relay reads {@link #healthy()} and {@link #open()} on
 * the hot path (volatile reads); health events are rare and take the lock.
 */
public final class NodeState {
    private static final Logger LOG = LoggerFactory.getLogger(NodeState.class);

    private final EdgeNode node;
    /** resolved once, off the event loops (a host name's lookup blocks) */
    private final InetAddress resolved;
    private final int healthyThreshold;
    private final int unhealthyThreshold;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter connections;
    private final Counter bytesToNode;
    private final Counter bytesFromNode;
    private final Counter connectFailures;
    private final Counter retries;
    private final List<Meter> meters;
    private volatile boolean healthy;
    private volatile String why;
    private volatile Instant since = Instant.now();
    private int successes;
    private int failures;

    NodeState(EdgeNode node, int healthyThreshold, int unhealthyThreshold, MeterRegistry registry) {
        this.node = node;
        this.healthyThreshold = healthyThreshold;
        this.unhealthyThreshold = unhealthyThreshold;
        InetAddress address;
        try {
            address = InetAddress.getByName(node.address());
            healthy = true;
            why = "not checked yet";
        } catch (UnknownHostException e) {
            address = null;
            healthy = false;
            why = "cannot resolve " + node.address();
        }
        this.resolved = address;
        Tags tags = Tags.of("node", node.name());
        connections = Counter.builder("gatehouse.edge.connections").tags(tags)
                .description("Client connections relayed to the node").register(registry);
        bytesToNode = Counter.builder("gatehouse.edge.bytes").tags(tags.and("direction", "to_node"))
                .baseUnit("bytes").description("Bytes relayed").register(registry);
        bytesFromNode = Counter.builder("gatehouse.edge.bytes").tags(tags.and("direction", "from_node"))
                .baseUnit("bytes").description("Bytes relayed").register(registry);
        connectFailures = Counter.builder("gatehouse.edge.connect.failures").tags(tags)
                .description("Connects to the node that failed (each retried on another node)").register(registry);
        retries = Counter.builder("gatehouse.edge.connect.retries").tags(tags)
                .description("Client connections retried on another node after a failed connect to this one")
                .register(registry);
        Gauge openGauge = Gauge.builder("gatehouse.edge.connections.open", open, AtomicInteger::get).tags(tags)
                .description("Client connections open to the node").register(registry);
        Gauge healthGauge = Gauge.builder("gatehouse.edge.node.healthy", this, s -> s.healthy ? 1 : 0).tags(tags)
                .description("1 while the node takes connections, 0 while it is out").strongReference(true)
                .register(registry);
        meters = List.of(connections, bytesToNode, bytesFromNode, connectFailures, retries, openGauge, healthGauge);
    }

    public EdgeNode node() {
        return node;
    }

    /** @return the node's address, or {@code null} when its host name did not resolve */
    public InetAddress resolved() {
        return resolved;
    }

    /** Whether the node's address still resolves as it did: a host name may point elsewhere now. Blocks. */
    boolean resolvesAsBefore() {
        try {
            return InetAddress.getByName(node.address()).equals(resolved);
        } catch (UnknownHostException e) {
            return resolved == null;
        }
    }

    public boolean healthy() {
        return healthy;
    }

    /** Why the node is in or out: the last check's verdict or connect failure. */
    public String why() {
        return why;
    }

    public Instant since() {
        return since;
    }

    public int open() {
        return open.get();
    }

    public long connections() {
        return (long) connections.count();
    }

    public long connectFailures() {
        return (long) connectFailures.count();
    }

    /** A client connection to this node is established; {@link #closed()} when it ends. */
    public void opened() {
        open.incrementAndGet();
        connections.increment();
    }

    public void closed() {
        open.decrementAndGet();
    }

    public void bytesToNode(int n) {
        bytesToNode.increment(n);
    }

    public void bytesFromNode(int n) {
        bytesFromNode.increment(n);
    }

    /** A client's connect failed (passive health): counts towards the unhealthy threshold. */
    public void connectFailed(String reason) {
        connectFailures.increment();
        failed("connect failed: " + reason);
    }

    /** The client whose connect to this node failed is being tried on another node. */
    public void retried() {
        retries.increment();
    }

    /** A client's connect succeeded: failures are no longer consecutive (only checks bring a node back). */
    public synchronized void connected() {
        failures = 0;
    }

    /** An active check passed. */
    public synchronized void checkPassed(String detail) {
        failures = 0;
        if (healthy) {
            why = detail;
            return;
        }
        if (++successes >= healthyThreshold) {
            transition(true, detail);
        }
    }

    /** An active check failed. */
    public void checkFailed(String reason) {
        failed(reason);
    }

    private synchronized void failed(String reason) {
        successes = 0;
        if (!healthy) {
            why = reason;
            return;
        }
        if (++failures >= unhealthyThreshold) {
            transition(false, reason);
        }
    }

    private void transition(boolean up, String reason) {
        healthy = up;
        why = reason;
        since = Instant.now();
        successes = 0;
        failures = 0;
        LOG.info("node {} ({}) is {}: {}", node.name(), node.address(), up ? "healthy" : "out", reason);
    }

    void unregister(MeterRegistry registry) {
        for (Meter m : meters) {
            registry.remove(m);
        }
    }
}
