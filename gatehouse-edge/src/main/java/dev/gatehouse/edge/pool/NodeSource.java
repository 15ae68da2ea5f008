package dev.gatehouse.edge.pool;

import java.util.function.Consumer;

/** Where the nodes come from: a static list, a watched file, or the Kubernetes API. */
public interface NodeSource extends AutoCloseable {
    /**
     * Starts following the nodes: calls {@code onChange} with the whole current set now and again on every change,
     * from any thread.
     */
    void start(Consumer<NodeSet> onChange) throws Exception;

    @Override
    void close();
}
