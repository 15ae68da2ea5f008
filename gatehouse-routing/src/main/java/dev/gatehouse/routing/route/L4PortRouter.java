package dev.gatehouse.routing.route;

import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.L4RouteSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.balance.SmoothWeightedRoundRobin;
import dev.gatehouse.routing.tls.PortCertificates;
import io.netty.handler.ssl.SslContext;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a connection to a TCP or TLS passthrough port, or a UDP client's session, goes. A TCP or UDP port has one
 * route (the oldest attached TCPRoute's or UDPRoute's first rule); a TLS port picks by the SNI name of the ClientHello: an exact name first, then the
 * longest matching wildcard, then a route without hostname. Built off the event loops; picks are lock-free.
 */
public final class L4PortRouter {
    private static final Comparator<String> LONGEST_FIRST = Comparator.comparingInt(String::length).reversed()
            .thenComparing(Comparator.naturalOrder());

    /**
     * One backendRef of a TCPRoute/TLSRoute rule.
     *
     * @param cluster where to relay, or {@code null} when the reference is invalid (the connection is closed)
     * @param terminate the context to terminate TLS with before relaying (a TLS listener with
     *                  {@code mode: Terminate}), or {@code null} to relay the bytes as they come
     * @param route the route rule it belongs to (for logs and metrics)
     */
    public record L4Backend(Cluster cluster, SslContext terminate, RouteRef route) { }

    /** A compiled rule: its weighted backends ({@code null} picker when no weight is positive). */
    private record Target(SmoothWeightedRoundRobin<L4Backend> balancer, L4RouteSpec rule) { }

    private final Map<String, Target> exact;
    /** "*.example.com" keys as ".example.com" suffixes, longest first */
    private final List<Map.Entry<String, Target>> wildcards;
    private final Target any;
    private final boolean bySni;

    private L4PortRouter(Map<String, Target> exact, List<Map.Entry<String, Target>> wildcards, Target any,
                         boolean bySni) {
        this.exact = exact;
        this.wildcards = wildcards;
        this.any = any;
        this.bySni = bySni;
    }

    /** True for a TLS passthrough port: read the SNI name of the ClientHello first, then {@link #pick}. */
    public boolean routesBySni() {
        return bySni;
    }

    /** @param clusters every cluster of the snapshot by name */
    public static L4PortRouter compile(PortSpec port, Map<String, Cluster> clusters) {
        Map<String, Target> exact = new HashMap<>();
        Map<String, Target> wildcards = new HashMap<>();
        Target any = null;
        // listeners come most specific hostname first, routes oldest first: the first claim of a name wins
        for (ListenerSpec listener : port.listeners()) {
            SslContext terminate = terminating(listener);
            for (L4RouteSpec rule : listener.l4Routes() == null ? List.<L4RouteSpec>of() : listener.l4Routes()) {
                Target t = target(rule, clusters, terminate);
                String h = rule.hostname();
                if (h == null) {
                    any = any == null ? t : any;
                } else if (h.startsWith("*.")) {
                    wildcards.putIfAbsent(h.substring(1), t);
                } else {
                    exact.putIfAbsent(h, t);
                }
            }
        }
        List<Map.Entry<String, Target>> sorted = new ArrayList<>(wildcards.entrySet());
        sorted.sort(Map.Entry.comparingByKey(LONGEST_FIRST));
        return new L4PortRouter(Map.copyOf(exact), List.copyOf(sorted), any, port.protocol() == Protocol.TLS);
    }

    /** The listener's first certificate, built here on the control thread; {@code null} for passthrough. */
    private static SslContext terminating(ListenerSpec listener) {
        if (listener.tls() == null || listener.tls().certificates().isEmpty()) {
            return null;
        }
        try {
            return PortCertificates.buildWithoutAlpn(listener.tls().certificates().get(0));
        } catch (Exception e) {
            throw new IllegalArgumentException("listener " + listener.gateway() + "/" + listener.name()
                    + ": its certificate cannot be used for TLS: " + e.getMessage(), e);
        }
    }

    private static Target target(L4RouteSpec rule, Map<String, Cluster> clusters, SslContext terminate) {
        List<L4Backend> backends = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        for (BackendRefSpec b : rule.backends()) {
            Cluster c = b.cluster() == null ? null : clusters.get(b.cluster());
            backends.add(new L4Backend(c, terminate, rule.route()));
            weights.add(b.weight());
        }
        return new Target(SmoothWeightedRoundRobin.of(backends, weights), rule);
    }

    /**
     * @param serverName the SNI name (any case), or {@code null} for a TCP port
     * @return the backend for this connection, or {@code null} when no route takes it (close the connection)
     */
    public L4Backend pick(String serverName) {
        Target t = serverName == null ? any : lookup(serverName.toLowerCase(Locale.ROOT));
        return t == null || t.balancer() == null ? null : t.balancer().pick();
    }

    /**
     * The rule a connection would be relayed by, without picking a backend (explain): same lookup as
     * {@link #pick}.
     *
     * @param serverName the SNI name, or {@code null} (TCP, UDP, or a TLS client without SNI)
     * @return the rule, or {@code null} when no route takes the connection
     */
    public L4RouteSpec rule(String serverName) {
        Target t = serverName == null ? any : lookup(serverName.toLowerCase(Locale.ROOT));
        return t == null ? null : t.rule();
    }

    private Target lookup(String name) {
        Target t = exact.get(name);
        if (t != null) {
            return t;
        }
        for (Map.Entry<String, Target> w : wildcards) {
            if (name.endsWith(w.getKey()) && name.length() > w.getKey().length()) {
                return w.getValue();
            }
        }
        return any;
    }
}
