package dev.gatehouse.proxy.health;

import dev.gatehouse.ir.ActiveHealthCheckSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.balance.EndpointHealth;
import dev.gatehouse.routing.balance.EndpointHealthRegistry;
import dev.gatehouse.routing.balance.HealthPolicy;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Keeps one {@link EndpointProber} per endpoint address of the served snapshot, each pinned to one of the gateway's
 * event loops, handed out in turn. No thread of its own: probes are scheduled tasks and non-blocking I/O.
 *
 * <p>Which check an address gets: the {@code healthCheck.active} of a cluster listing it (a BackendTrafficPolicy), else
 * the CLI's TCP check ({@code --health-check-*}), else none. An endpoint has one verdict (health is per address), so
 * it has one prober however many clusters list it: two clusters with the same check share its probes; when clusters
 * with different checks list one address, the check of the cluster first by name wins and a warning names the others
 * (Envoy would probe once per cluster; one verdict per address cannot hold two opinions).
 *
 * <p>Thread-safe: {@link #sync} and {@link #close} run on the control thread; probers run on their loops.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final EventLoopGroup group;
    private final Class<? extends Channel> channelClass;
    private final EndpointHealthRegistry registry;
    private final HealthCheckOptions options;
    private final Map<InetSocketAddress, EndpointProber> probers = new HashMap<>();
    /** The clusters of the last sync by identity, and the registry's size then: a reload that changed none skips it. */
    private Set<Cluster> synced = Set.of();
    private int syncedSize = -1;
    private boolean closed;

    public HealthChecker(EventLoopGroup group, Class<? extends Channel> channelClass, EndpointHealthRegistry registry,
                         HealthCheckOptions options) {
        this.group = group;
        this.channelClass = channelClass;
        this.registry = registry;
        this.options = options;
        if (options.active()) {
            LOG.info("health checks: TCP connect every {} ms{}, timeout {} ms, {} failures -> unhealthy, {} successes "
                            + "-> healthy (a BackendTrafficPolicy's healthCheck.active replaces it for its clusters)",
                    options.interval().toMillis(), options.slowsUnused() ? " (every " + options.noTrafficInterval()
                            .toMillis() + " ms until a request is routed to one of the endpoint's clusters)" : "",
                    options.timeout().toMillis(),
                    registry.policy().unhealthyThreshold(), registry.policy().healthyThreshold());
        } else {
            LOG.info("health checks: active checks off but for clusters with a BackendTrafficPolicy's "
                            + "healthCheck.active; {} failed requests within {} s eject an endpoint for {} s",
                    registry.policy().passiveFailures(), registry.policy().passiveWindow().toSeconds(),
                    registry.policy().ejectionTime().toSeconds());
        }
    }

    public EndpointHealthRegistry registry() {
        return registry;
    }

    public HealthCheckOptions options() {
        return options;
    }

    /**
     * Starts probing endpoints new to the snapshot, restarts those whose check changed and stops those that left it
     * (or whose registry entry was replaced). Call after {@link EndpointHealthRegistry#retain}.
     */
    public synchronized void sync(RuntimeSnapshot snapshot) {
        if (closed) {
            return;
        }
        // the same cluster instances (so the same specs and endpoints) and registry entries as the last sync
        if (snapshot != null && syncedSize == registry.size()
                && EndpointHealthRegistry.sameInstances(synced, snapshot.clusters().values())) {
            return;
        }
        Map<InetSocketAddress, ProbeTarget> wanted = targets(snapshot);
        for (Iterator<Map.Entry<InetSocketAddress, EndpointProber>> it = probers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<InetSocketAddress, EndpointProber> e = it.next();
            EndpointProber p = e.getValue();
            if (registry.find(e.getKey()) != p.health() || !p.target().sameProbe(wanted.get(e.getKey()))) {
                p.stop();
                it.remove();
            }
        }
        wanted.forEach((address, target) -> {
            EndpointHealth health = registry.find(address);
            if (health == null || probers.containsKey(address)) {
                return;
            }
            // Envoy's no_traffic_interval for the CLI's check only: a policy's check is one the user asked for
            long noTraffic = target.fromPolicy() ? 0 : options.noTrafficInterval().toNanos();
            EndpointProber prober = new EndpointProber(health, target, group.next(), channelClass, noTraffic);
            probers.put(address, prober);
            prober.start(firstDelayNanos(target));
        });
        if (snapshot != null) {
            synced = EndpointHealthRegistry.identitySet(snapshot.clusters().values());
            syncedSize = registry.size();
        }
    }

    /** The CLI's check spreads its first probes over one interval; a policy's over its initialJitter (0: at once). */
    private static long firstDelayNanos(ProbeTarget target) {
        ActiveHealthCheckSpec check = target.check();
        long spread = target.fromPolicy()
                ? (check.initialJitter() == null ? 0 : check.initialJitter().toNanos())
                : check.interval().toNanos();
        return spread <= 0 ? 0 : ThreadLocalRandom.current().nextLong(spread);
    }

    /** Each address's check, as the class comment says; warns about addresses whose clusters disagree. */
    private Map<InetSocketAddress, ProbeTarget> targets(RuntimeSnapshot snapshot) {
        Map<String, ClusterSpec> specs = new HashMap<>();
        snapshot.source().clusters().forEach(s -> specs.put(s.name(), s));
        List<Cluster> clusters = new ArrayList<>(snapshot.clusters().values());
        clusters.sort(Comparator.comparing(Cluster::name));
        Map<InetSocketAddress, ProbeTarget> out = new LinkedHashMap<>();
        Map<InetSocketAddress, TreeSet<String>> disagreeing = new HashMap<>();
        HealthPolicy policy = registry.policy();
        for (Cluster cluster : clusters) {
            ClusterSpec spec = specs.get(cluster.name());
            ActiveHealthCheckSpec check = spec == null || spec.traffic() == null ? null
                    : spec.traffic().activeHealthCheck();
            for (InetSocketAddress address : cluster.endpoints()) {
                ProbeTarget chosen = out.get(address);
                if (check == null) {
                    if (chosen == null && options.active()) {
                        out.put(address, ProbeTarget.cli(options, policy.healthyThreshold(),
                                policy.unhealthyThreshold(), address));
                    }
                    continue;
                }
                ProbeTarget mine = ProbeTarget.policy(check, cluster.tls(), address, cluster.name());
                if (chosen == null || !chosen.fromPolicy()) {
                    out.put(address, mine);
                } else if (!chosen.sameProbe(mine)) {
                    disagreeing.computeIfAbsent(address, a -> new TreeSet<>()).add(cluster.name());
                }
            }
        }
        disagreeing.forEach((address, others) -> LOG.warn("endpoint {}: clusters {} ask for other health checks "
                        + "than {}'s; it is probed once, with {}'s check ({})", address, others,
                out.get(address).cluster(), out.get(address).cluster(), out.get(address).describe()));
        return out;
    }

    /** The check probing {@code endpoint} ("HTTP GET /healthz", "TCP"...), or {@code null} when none does. */
    public synchronized String checkOf(InetSocketAddress endpoint) {
        EndpointProber p = probers.get(endpoint);
        return p == null ? null : p.target().describe();
    }

    /** @return endpoints being probed (tests) */
    public synchronized int probing() {
        return probers.size();
    }

    /** Stops every probe; call before the event loops shut down. */
    @Override
    public synchronized void close() {
        closed = true;
        probers.values().forEach(EndpointProber::stop);
        probers.clear();
    }
}
