package dev.gatehouse.edge.pool;

import java.util.function.Consumer;

/** Where the nodes come from: a static list, a watched file, or the Kubernetes API. */
public interface NodeSource extends AutoCloseable {
    /**
     * Starts following the nodes: calls {@code onChange} with the whole current set now and again on every change,
     * from any thread.
     */
    void start(Consumer<NodeSet> onChange) throws Exception;

    /** SIGHUP: read the nodes again (a file, host names' addresses); passes them on if they changed. Any thread. */
    default void reload() {
    }

    @Override
    void close();
}
