package dev.gatehouse.app.admin;

import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.FilterSpec;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.ir.VirtualHostSpec;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code GET /backends}: every cluster of the running snapshot, its endpoints with their health, and the
 * routes that send traffic (or mirror) to it.
 */
public record BackendReport(long generation, List<ClusterView> clusters) {
    public BackendReport {
        clusters = List.copyOf(clusters);
    }

    /**
     * @param ready endpoints the config lists as ready (the data plane balances over these)
     * @param healthy endpoints the health view reports HEALTHY (0 while nothing probes)
     * @param unhealthy endpoints out of rotation: UNHEALTHY by their checks, or ejected by outlier detection
     * @param usedBy "namespace/route" of every route referencing the cluster, sorted
     * @param algorithm how the data plane picks among the endpoints ({@link Cluster#algorithm()})
     */
    public record ClusterView(String name, int ready, int healthy, int unhealthy, List<EndpointView> endpoints,
                              List<String> usedBy, String algorithm) {
        public ClusterView {
            endpoints = List.copyOf(endpoints);
            usedBy = List.copyOf(usedBy);
        }
    }

    /**
     * @param address "ip:port" ({@code [v6]:port})
     * @param health the active verdict
     * @param check the active check probing it, or {@code null}
     * @param passive outlier detection's ejection (reason, time left, count), or {@code null} when never ejected
     */
    public record EndpointView(String address, EndpointHealth.State health, String lastError, Instant since,
                               String check, EndpointHealth.Ejection passive) { }

    public static BackendReport of(RuntimeSnapshot runtime, EndpointHealthView health) {
        Snapshot snapshot = runtime.source();
        Map<String, TreeSet<String>> usedBy = usedBy(snapshot);
        List<ClusterView> out = new ArrayList<>();
        for (ClusterSpec spec : snapshot.clusters()) {
            Cluster cluster = runtime.cluster(spec.name());
            List<InetSocketAddress> addresses = cluster != null ? cluster.endpoints() : resolve(spec);
            List<EndpointView> endpoints = new ArrayList<>();
            int healthy = 0;
            int unhealthy = 0;
            for (InetSocketAddress a : addresses) {
                EndpointHealth h = health.of(spec.name(), a);
                if (h == null) {
                    h = EndpointHealth.UNKNOWN;
                }
                healthy += h.state() == EndpointHealth.State.HEALTHY ? 1 : 0;
                unhealthy += h.routable() ? 0 : 1;
                endpoints.add(new EndpointView(format(a), h.state(), h.lastError(), h.since(), h.check(),
                        h.passive()));
            }
            out.add(new ClusterView(spec.name(), addresses.size(), healthy, unhealthy, endpoints,
                    List.copyOf(usedBy.getOrDefault(spec.name(), new TreeSet<>())),
                    cluster != null ? cluster.algorithm() : "RoundRobin"));
        }
        return new BackendReport(snapshot.generation(), out);
    }

    private static Map<String, TreeSet<String>> usedBy(Snapshot snapshot) {
        Map<String, TreeSet<String>> out = new TreeMap<>();
        for (PortSpec port : snapshot.ports()) {
            for (ListenerSpec l : port.listeners()) {
                for (VirtualHostSpec v : l.virtualHosts()) {
                    for (HttpRuleSpec rule : v.rules()) {
                        String route = rule.route().qualifiedName();
                        for (BackendRefSpec b : rule.backends()) {
                            if (b.cluster() != null) {
                                out.computeIfAbsent(b.cluster(), k -> new TreeSet<>()).add(route);
                            }
                        }
                        for (FilterSpec f : rule.filters()) {
                            if (f instanceof FilterSpec.RequestMirrorSpec m && m.cluster() != null) {
                                out.computeIfAbsent(m.cluster(), k -> new TreeSet<>()).add(route);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** IP literals only (the translator guarantees it), so no name is ever looked up here. */
    private static List<InetSocketAddress> resolve(ClusterSpec spec) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (ClusterSpec.EndpointSpec e : spec.endpoints()) {
            try {
                out.add(new InetSocketAddress(InetAddress.getByName(e.address()), e.port()));
            } catch (UnknownHostException ex) {
                out.add(InetSocketAddress.createUnresolved(e.address(), e.port()));
            }
        }
        return out;
    }

    static String format(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
