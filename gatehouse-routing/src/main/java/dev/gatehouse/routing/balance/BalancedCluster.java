package dev.gatehouse.routing.balance;

import dev.gatehouse.ir.BackendProtocol;
import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.LoadBalancerSpec;
import dev.gatehouse.routing.tls.UpstreamTls;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What every algorithm shares: the endpoint array and each endpoint's {@link EndpointHealth} (resolved at compile
 * time), the panic threshold, slow start, and the passive-health forwarding. A subclass only chooses an index
 * ({@link #choose}); the base turns it into an address, so each algorithm is a few lines and none allocates.
 *
 * <p>Panic: with {@code traffic.panicThreshold} unset, an algorithm skips endpoints that are not routable and picks
 * among all of them only when none is (our default, see {@link RoundRobinCluster}); with it set, it picks among all
 * as soon as fewer than that percentage are routable (Envoy's semantics), at the cost of counting the routable
 * endpoints (one volatile read each) per pick.
 *
 * <p>Slow start: an endpoint's share ramps linearly from {@value #MIN_RAMP_PERCENT}% to 100% over the window from
 * its first appearance, which is its {@link EndpointHealth#firstSeenNanos()} in the long-lived registry, so a reload
 * that rebuilds the cluster does not restart the ramp. It is applied by rejection: a candidate in its ramp is taken
 * with probability equal to its factor and otherwise the algorithm draws again, which scales its share without
 * per-pick weights. Consistent hash ignores it (ramping would move keys twice).
 */
public abstract class BalancedCluster implements Cluster {
    static final int MIN_RAMP_PERCENT = 10;
    /** Above this many endpoints, {@link #indexOf} uses a map instead of a scan. */
    private static final int SCAN_LIMIT = 16;

    private final ClusterSpec spec;
    private final List<InetSocketAddress> endpoints;
    final InetSocketAddress[] ring;
    /** health[i] is ring[i]'s; entries of the registry the cluster was compiled against. */
    final EndpointHealth[] health;
    private final UpstreamTls tls;
    private final EndpointHealthRegistry registry;
    private final int panicPercent;
    private final long slowStartNanos;
    /** Set once every endpoint's ramp has ended; a plain field: a stale false costs one clock read. */
    private boolean ramped;
    /**
     * Set by the first pick: marks every endpoint's entry as routed to, so the CLI's health check leaves its
     * no-traffic interval. Volatile only so a reload can carry it to the next instance; read once per pick (a plain
     * load on x86), written once.
     */
    private volatile boolean routedTo;
    private final Map<InetSocketAddress, Integer> index;
    /** {@code healthCheck.passive}'s detector, or {@code null}: then only connect failures eject (the default). */
    private final OutlierDetector outlier;

    BalancedCluster(ClusterSpec spec, List<InetSocketAddress> endpoints, EndpointHealthRegistry registry,
                    UpstreamTls tls) {
        this.spec = spec;
        this.tls = tls;
        this.registry = registry;
        this.endpoints = List.copyOf(endpoints);
        this.ring = endpoints.toArray(new InetSocketAddress[0]);
        this.health = new EndpointHealth[ring.length];
        for (int i = 0; i < ring.length; i++) {
            health[i] = registry.endpoint(ring[i], spec.name());
        }
        this.outlier = OutlierDetector.of(spec, health);
        BackendTrafficSpec traffic = spec.traffic();
        Integer panic = traffic == null ? null : traffic.panicThreshold();
        if (panic != null && (panic < 0 || panic > 100)) {
            throw new IllegalArgumentException("cluster " + spec.name() + ": panicThreshold " + panic
                    + " is outside 0..100");
        }
        this.panicPercent = panic == null ? 0 : panic;
        LoadBalancerSpec lb = loadBalancer(spec);
        Duration window = lb.slowStartWindow();
        // consistent hash ignores slow start: a ramping endpoint would take its keys, lose them, take them again
        this.slowStartNanos = window == null || window.isNegative() || lb.type() == LoadBalancerSpec.Type.CONSISTENT_HASH
                ? 0 : window.toNanos();
        this.ramped = slowStartNanos == 0;
        if (ring.length > SCAN_LIMIT) {
            index = new HashMap<>(ring.length * 2);
            for (int i = 0; i < ring.length; i++) {
                index.put(ring[i], i);
            }
        } else {
            index = null;
        }
    }

    /**
     * Builds the cluster {@code spec.traffic().loadBalancer()} asks for (round robin when unset).
     *
     * @param tls the compiled {@code spec.tls()} (shared with the other clusters of the same TLS identity)
     * @throws IllegalArgumentException naming the cluster when an address, port or setting is invalid
     */
    public static BalancedCluster compile(ClusterSpec spec, EndpointHealthRegistry registry, UpstreamTls tls) {
        List<InetSocketAddress> resolved = resolve(spec);
        LoadBalancerSpec lb = loadBalancer(spec);
        return switch (lb.type()) {
            case ROUND_ROBIN -> new RoundRobinCluster(spec, resolved, registry, tls);
            case RANDOM -> new RandomCluster(spec, resolved, registry, tls);
            case LEAST_REQUEST -> new LeastRequestCluster(spec, resolved, registry, tls);
            case CONSISTENT_HASH -> new ConsistentHashCluster(spec, resolved, registry, tls);
        };
    }

    /** Compiles with a private registry nothing probes (tests, explain). */
    public static BalancedCluster compile(ClusterSpec spec) {
        return compile(spec, new EndpointHealthRegistry(HealthPolicy.passiveOnly()),
                spec.tls() == null ? null : UpstreamTls.compile(spec.tls()));
    }

    static LoadBalancerSpec loadBalancer(ClusterSpec spec) {
        BackendTrafficSpec traffic = spec.traffic();
        return traffic == null || traffic.loadBalancer() == null ? LoadBalancerSpec.ROUND_ROBIN : traffic.loadBalancer();
    }

    static List<InetSocketAddress> resolve(ClusterSpec spec) {
        InetSocketAddress[] out = new InetSocketAddress[spec.endpoints().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = literal(spec.name(), spec.endpoints().get(i));
        }
        return List.of(out);
    }

    private static InetSocketAddress literal(String cluster, ClusterSpec.EndpointSpec endpoint) {
        String address = endpoint.address();
        byte[] bytes = address == null ? null : NetUtil.createByteArrayFromIpAddressString(address);
        if (bytes == null) {
            throw new IllegalArgumentException("cluster " + cluster + ": endpoint address '" + address
                    + "' is not an IP literal");
        }
        if (endpoint.port() < 1 || endpoint.port() > 65535) {
            throw new IllegalArgumentException("cluster " + cluster + ": endpoint " + address + " has port "
                    + endpoint.port() + " outside 1..65535");
        }
        try {
            // getByAddress never consults a resolver: the bytes are the address.
            return new InetSocketAddress(InetAddress.getByAddress(bytes), endpoint.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cluster " + cluster + ": bad endpoint address " + address, e);
        }
    }

    /**
     * @return true when every endpoint's health entry is the one {@code registry} holds now, so a new snapshot may
     *         reuse this instance (false after an address left the registry and came back, or for another registry)
     */
    public final boolean boundTo(EndpointHealthRegistry registry) {
        for (EndpointHealth h : health) {
            if (registry.find(h.address()) != h) {
                return false;
            }
        }
        return true;
    }

    /** The IR this was compiled from; equal specs let a new snapshot reuse this instance. */
    public final ClusterSpec spec() {
        return spec;
    }

    @Override
    public abstract String algorithm();

    /**
     * How a rule whose backendRefs include this cluster chooses among them, so weights hold under every algorithm:
     * the key this cluster hashes (the rule then chooses by a weighted consistent hash of the same key, so a client
     * does not flip between backendRefs), else {@code null}.
     */
    public HashKey hashKey() {
        return null;
    }

    /** Whether the rule should choose among its backendRefs by weighted random draws rather than in rotation. */
    public boolean picksAtRandom() {
        return false;
    }

    @Override
    public final String name() {
        return spec.name();
    }

    @Override
    public final BackendProtocol protocol() {
        return spec.backendProtocol();
    }

    @Override
    public final List<InetSocketAddress> endpoints() {
        return endpoints;
    }

    /** Each endpoint's health entry, in {@link #endpoints()} order. */
    public final List<EndpointHealth> health() {
        return List.of(health);
    }

    @Override
    public final UpstreamTls tls() {
        return tls;
    }

    /**
     * A pick outside a request's life (mirrors, L4, probes): nothing calls {@link #requestFinished} for it, so it
     * is not counted as in flight.
     */
    @Override
    public final InetSocketAddress pick() {
        return pick(PickContext.NONE, false);
    }

    @Override
    public final InetSocketAddress pick(PickContext ctx) {
        return pick(ctx, true);
    }

    private InetSocketAddress pick(PickContext ctx, boolean counted) {
        if (!routedTo) {
            markRoutedTo();
        }
        int n = ring.length;
        if (n == 0) {
            return null;
        }
        int i = n == 1 ? 0 : preferredOr(ctx); // with one endpoint, healthy or not, panic always applies
        if (counted) {
            picked(i);
        }
        return ring[i];
    }

    /** Whether a request was ever routed here, by this instance or (carried over on reload) one of the same name. */
    @Override
    public final boolean routedTo() {
        return routedTo;
    }

    @Override
    public final void markRoutedTo() {
        routedTo = true;
        for (EndpointHealth h : health) {
            h.markRoutedTo();
        }
    }

    private int preferredOr(PickContext ctx) {
        InetSocketAddress p = ctx.preferred();
        if (p != null) {
            int i = indexOf(p);
            if (i >= 0 && health[i].routable() && !p.equals(ctx.avoid())) {
                return i; // a session's endpoint (sessionPersistence)
            }
        }
        return choose(ctx);
    }

    /**
     * Requests in flight to {@code endpoint} as least request counts them (summed over the event loops; a racy read
     * for admin and tests), or -1 for the algorithms that do not count.
     */
    public int inFlight(InetSocketAddress endpoint) {
        return -1;
    }

    /** Whether {@code endpoint} is one of this cluster's and routable now (a session may stay on it). */
    public final boolean routable(InetSocketAddress endpoint) {
        int i = indexOf(endpoint);
        return i >= 0 && health[i].routable();
    }

    /**
     * @param ctx the request (n &gt; 1)
     * @return the index of the endpoint to use, never -1: when nothing is {@link #eligible}, {@link #fallback}
     */
    abstract int choose(PickContext ctx);

    /** The request got endpoint {@code i} (least request counts it). */
    void picked(int i) {
    }

    /**
     * Whether the picks of this call should ignore health: {@code panicThreshold} is set and fewer than that share
     * of the endpoints are routable.
     */
    final boolean panicking() {
        if (panicPercent == 0) {
            return false;
        }
        int routable = 0;
        for (EndpointHealth h : health) {
            if (h.routable()) {
                routable++;
            }
        }
        return routable * 100 < panicPercent * health.length;
    }

    /** May candidate {@code i} take this request: routable (unless panicking), not avoided, past its ramp draw. */
    final boolean eligible(int i, boolean panic, InetSocketAddress avoid) {
        return (panic || health[i].routable()) && (avoid == null || !ring[i].equals(avoid)) && rampAdmits(i);
    }

    private boolean rampAdmits(int i) {
        if (ramped) {
            return true;
        }
        double f = rampFactor(i, registry.nanoTime());
        return f >= 1.0 || ThreadLocalRandom.current().nextDouble() < f;
    }

    /** Linear share of endpoint {@code i} at {@code now}: MIN_RAMP_PERCENT/100 at first sight, 1 after the window. */
    final double rampFactor(int i, long now) {
        if (slowStartNanos == 0) {
            return 1.0;
        }
        long elapsed = now - health[i].firstSeenNanos();
        if (elapsed >= slowStartNanos) {
            if (i == 0 && allRamped(now)) {
                ramped = true;
            }
            return 1.0;
        }
        return Math.max(MIN_RAMP_PERCENT / 100.0, Math.max(0, elapsed) / (double) slowStartNanos);
    }

    private boolean allRamped(long now) {
        for (EndpointHealth h : health) {
            if (now - h.firstSeenNanos() < slowStartNanos) {
                return false;
            }
        }
        return true;
    }

    /**
     * A uniform draw among the eligible endpoints: redraws rather than scans, so a skipped endpoint's share spreads
     * evenly over the others; {@link #fallback} after n draws.
     */
    final int randomEligible(boolean panic, InetSocketAddress avoid) {
        int n = ring.length;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < n; attempt++) {
            int i = random.nextInt(n);
            if (eligible(i, panic, avoid)) {
                return i;
            }
        }
        return fallback(random.nextInt(n), avoid);
    }

    /**
     * When the algorithm's draws found nothing eligible: the first routable endpoint from {@code start} that is not
     * avoided, else the first routable one, else {@code start} itself (panic: every endpoint is down, and trying
     * one costs a 502 where refusing costs every request).
     */
    final int fallback(int start, InetSocketAddress avoid) {
        int n = ring.length;
        int routable = -1;
        for (int k = 0; k < n; k++) {
            int i = (start + k) % n;
            if (health[i].routable()) {
                if (avoid == null || !ring[i].equals(avoid)) {
                    return i;
                }
                if (routable < 0) {
                    routable = i;
                }
            }
        }
        return routable >= 0 ? routable : start;
    }

    /** @return the index of {@code endpoint} (a value {@link #pick} returned), or -1 */
    final int indexOf(InetSocketAddress endpoint) {
        if (index != null) {
            Integer i = index.get(endpoint);
            return i == null ? -1 : i;
        }
        for (int i = 0; i < ring.length; i++) {
            if (ring[i] == endpoint || ring[i].equals(endpoint)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public final void reportFailure(InetSocketAddress endpoint, String reason) {
        int i = indexOf(endpoint);
        if (i >= 0) {
            if (outlier != null) {
                outlier.localFailure(health[i], reason);
            } else {
                health[i].passiveFailure(reason);
            }
        }
    }

    @Override
    public final void reportResponse(InetSocketAddress endpoint, int status) {
        if (outlier == null) {
            return; // no healthCheck.passive: answers are not counted
        }
        int i = indexOf(endpoint);
        if (i >= 0) {
            outlier.response(health[i], status);
        }
    }

    @Override
    public final EndpointHealth healthOf(InetSocketAddress endpoint) {
        int i = indexOf(endpoint);
        return i >= 0 ? health[i] : null;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + spec.name() + " " + endpoints + "]";
    }
}
