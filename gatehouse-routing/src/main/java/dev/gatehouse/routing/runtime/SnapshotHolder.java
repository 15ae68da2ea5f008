package dev.gatehouse.routing.runtime;

import java.util.concurrent.atomic.AtomicReference;

/** The single publication point of the running config: one atomic write per reload, one read per request. */
public final class SnapshotHolder {
    private final AtomicReference<RuntimeSnapshot> current;

    public SnapshotHolder(RuntimeSnapshot initial) {
        this.current = new AtomicReference<>(initial);
    }

    public RuntimeSnapshot current() {
        return current.get();
    }

    /** @return the snapshot that was replaced */
    public RuntimeSnapshot swap(RuntimeSnapshot next) {
        return current.getAndSet(next);
    }
}
