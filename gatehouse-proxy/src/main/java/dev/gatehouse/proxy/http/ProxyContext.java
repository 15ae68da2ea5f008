package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.Observability;
import dev.gatehouse.proxy.resilience.CircuitBreakers;
import dev.gatehouse.routing.route.EncodedSlashPolicy;
import dev.gatehouse.routing.runtime.SnapshotHolder;
import dev.gatehouse.proxy.upstream.UpstreamPools;

/** What every proxy handler of one server shares: the snapshot publication point and the per-loop pools. */
public final class ProxyContext {
    private final SnapshotHolder snapshots;
    private final UpstreamPools pools;
    private final Observability observability;
    /** null when nothing observes, so the hot path tests one field */
    private final ExchangeObserver observer;
    private final EncodedSlashPolicy encodedSlashes;
    private final CircuitBreakers breakers = new CircuitBreakers();
    /** Set once, when the server starts draining; read as each response head is written and each exchange ends. */
    private volatile boolean draining;

    /** A route without a timeout gets its port's response-head deadline (FrontendInitializer reads the limits). */
    public ProxyContext(SnapshotHolder snapshots, UpstreamPools pools) {
        this(snapshots, pools, Observability.defaults());
    }

    public ProxyContext(SnapshotHolder snapshots, UpstreamPools pools, Observability observability) {
        this(snapshots, pools, observability, EncodedSlashPolicy.KEEP);
    }

    /** @param encodedSlashes what path normalisation does with {@code %2F} (see {@link EncodedSlashPolicy}) */
    public ProxyContext(SnapshotHolder snapshots, UpstreamPools pools, Observability observability,
                        EncodedSlashPolicy encodedSlashes) {
        this.encodedSlashes = encodedSlashes == null ? EncodedSlashPolicy.KEEP : encodedSlashes;
        this.observability = observability == null ? Observability.defaults() : observability;
        this.observer = this.observability.observing() ? this.observability.observer() : null;
        this.snapshots = snapshots;
        this.pools = pools;
    }

    SnapshotHolder snapshots() {
        return snapshots;
    }

    public UpstreamPools pools() {
        return pools;
    }

    /** The per-cluster circuit breakers every event loop shares. */
    public CircuitBreakers breakers() {
        return breakers;
    }

    EncodedSlashPolicy encodedSlashes() {
        return encodedSlashes;
    }

    /** From now on HTTP/1.1 responses say {@code Connection: close} and connections close after their exchange. */
    public void startDraining() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    public Observability observability() {
        return observability;
    }

    /** @return the observer, or {@code null} when nothing observes (no request log is created then) */
    public ExchangeObserver observer() {
        return observer;
    }
}
