package dev.gatehouse.proxy.runtime;

import dev.gatehouse.ir.Snapshot;

/**
 * IR in, runtime tables out: host indexes, path matchers, regexes, filters and balancers are all built
 * here, once per config, off the event loops. Throws {@link IllegalArgumentException} naming the
 * offending route when the IR cannot be compiled (the caller keeps the previous snapshot).
 */
public final class SnapshotCompiler {

    /**
     * @param previous the snapshot being replaced (long-lived state keyed by identity may be carried over), or null
     */
    public RuntimeSnapshot compile(Snapshot snapshot, RuntimeSnapshot previous) {
        throw new UnsupportedOperationException("TODO");
    }
}
