package dev.gatehouse.edge.pool;

import java.util.function.Consumer;

/**
 * {@code --nodes} and {@code --node-port}: one set, given at start. A reload (SIGHUP) passes it on again, so that
 * the pool looks host names up again (a node's name may point elsewhere now).
 */
public final class StaticNodeSource implements NodeSource {
    private final NodeSet set;
    private volatile Consumer<NodeSet> onChange;

    public StaticNodeSource(NodeSet set) {
        this.set = set;
    }

    @Override
    public void start(Consumer<NodeSet> onChange) {
        this.onChange = onChange;
        onChange.accept(set);
    }

    @Override
    public synchronized void reload() {
        Consumer<NodeSet> sink = onChange;
        if (sink != null) {
            sink.accept(set);
        }
    }

    @Override
    public void close() {
        onChange = null;
    }
}
