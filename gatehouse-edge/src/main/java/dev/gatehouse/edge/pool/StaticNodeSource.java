package dev.gatehouse.edge.pool;

import java.util.function.Consumer;

/** {@code --nodes} and {@code --node-port}: one set, given at start. */
public final class StaticNodeSource implements NodeSource {
    private final NodeSet set;

    public StaticNodeSource(NodeSet set) {
        this.set = set;
    }

    @Override
    public void start(Consumer<NodeSet> onChange) {
        onChange.accept(set);
    }

    @Override
    public void close() {
    }
}
