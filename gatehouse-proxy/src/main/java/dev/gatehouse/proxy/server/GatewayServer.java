package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.runtime.RuntimeSnapshot;
import dev.gatehouse.proxy.runtime.SnapshotHolder;

/**
 * Owns the event loops and the listening sockets. {@link #apply} publishes a new snapshot and reconciles
 * the bound ports with it: new ports are bound, ports no longer declared are closed (their open
 * connections finish on their own), unchanged ports stay bound. Thread-safe; called by the control loop.
 */
public final class GatewayServer implements AutoCloseable {

    public GatewayServer(ServerOptions options) {
        throw new UnsupportedOperationException("TODO");
    }

    public SnapshotHolder snapshots() {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Publishes the snapshot, then binds/unbinds ports. Blocks the caller (never an event loop) until binds finish.
     *
     * @throws java.io.UncheckedIOException naming the port when a bind fails; the snapshot stays published
     */
    public void apply(RuntimeSnapshot snapshot) {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public void close() {
    }
}
