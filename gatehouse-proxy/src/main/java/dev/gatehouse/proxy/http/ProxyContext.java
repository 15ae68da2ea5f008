package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.runtime.SnapshotHolder;
import dev.gatehouse.proxy.upstream.UpstreamPools;

import java.time.Duration;

/** What every proxy handler of one server shares: the snapshot publication point and the per-loop pools. */
public final class ProxyContext {
    private final SnapshotHolder snapshots;
    private final UpstreamPools pools;
    private final long defaultBackendTimeoutNanos;

    /**
     * @param defaultBackendTimeout response-head deadline when a route sets none; zero disables it
     */
    public ProxyContext(SnapshotHolder snapshots, UpstreamPools pools, Duration defaultBackendTimeout) {
        this.snapshots = snapshots;
        this.pools = pools;
        this.defaultBackendTimeoutNanos = defaultBackendTimeout == null ? 0 : defaultBackendTimeout.toNanos();
    }

    SnapshotHolder snapshots() {
        return snapshots;
    }

    UpstreamPools pools() {
        return pools;
    }

    long defaultBackendTimeoutNanos() {
        return defaultBackendTimeoutNanos;
    }
}
