package dev.gatehouse.routing.route;

import dev.gatehouse.routing.ratelimit.RateLimiters;

import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.filter.HttpExchange;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The router of one HTTP(S) port: host -> listener (most specific hostname; a request never falls
 * through to a less specific listener, which is Gateway listener isolation) -> virtual host -> first
 * matching rule. Lookups are hash probes plus a scan of the rules the path's first segment leaves
 * possible; nothing is compiled per request and nothing is allocated apart from a {@code Matcher} when a
 * regex condition is evaluated (and a decoded string for a percent-encoded query parameter).
 */
public final class HostIndexedPortRouter implements HttpPortRouter {
    private final int port;
    private final String protocol;
    private final HostIndex<ListenerRouter> listeners;
    private final List<ListenerRouter> listenerOrder;

    HostIndexedPortRouter(int port, String protocol, HostIndex<ListenerRouter> listeners,
                          List<ListenerRouter> listenerOrder) {
        this.port = port;
        this.protocol = protocol;
        this.listeners = listeners;
        this.listenerOrder = List.copyOf(listenerOrder);
    }

    /**
     * @param clusters every cluster of the snapshot by name
     * @throws IllegalArgumentException naming the route, rule and match that cannot be compiled
     */
    public static HostIndexedPortRouter compile(PortSpec port, Map<String, Cluster> clusters) {
        return compile(port, clusters, new RateLimiters());
    }

    /** @param rateLimiters the gateway's rate-limit state, which rules with a {@code rateLimit} spend from */
    public static HostIndexedPortRouter compile(PortSpec port, Map<String, Cluster> clusters,
                                                RateLimiters rateLimiters) {
        return compile(port, clusters, rateLimiters, new RouteMemo());
    }

    /** @param memo what the previous compile made, and where this one's goes: unchanged rules are not compiled again */
    public static HostIndexedPortRouter compile(PortSpec port, Map<String, Cluster> clusters,
                                                RateLimiters rateLimiters, RouteMemo memo) {
        return new RouteCompiler(clusters, rateLimiters, memo).compile(port);
    }

    public int port() {
        return port;
    }

    /** "HTTP" or "HTTPS" */
    public String protocol() {
        return protocol;
    }

    @Override
    public Route route(HttpExchange exchange) {
        String host = exchange.host();
        ListenerRouter listener = listeners.lookup(host);
        return listener == null ? null : listener.route(host, exchange);
    }

    /**
     * What {@link #route} does for this exchange and why: every listener, the chosen one's virtual hosts,
     * and the chosen host's rules with their first failing condition. For explain; allocates freely.
     */
    public MatchTrace trace(HttpExchange exchange) {
        String host = exchange.host();
        ListenerRouter chosen = listeners.lookup(host);
        List<MatchTrace.ListenerCheck> checks = new ArrayList<>(listenerOrder.size());
        for (ListenerRouter l : listenerOrder) {
            checks.add(new MatchTrace.ListenerCheck(l.gateway(), l.name(), l.hostname(),
                    HostIndex.covers(l.hostname(), host), l == chosen));
        }
        if (chosen == null) {
            return new MatchTrace(checks, null, List.of(), null, List.of(), null, null);
        }
        return chosen.trace(checks, host, exchange);
    }

    @Override
    public String debugTrace(HttpExchange exchange, Route route, Backend backend) {
        ListenerRouter listener = listeners.lookup(exchange.host());
        return DebugTrace.format(listener == null ? null : listener.id(),
                listener == null ? null : listener.virtualHostFor(exchange.host()), route, backend);
    }

    @Override
    public List<CompiledRoute> routes() {
        java.util.Set<CompiledRoute> all = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        List<CompiledRoute> ordered = new ArrayList<>();
        for (ListenerRouter l : listenerOrder) {
            for (CompiledRoute r : l.routes()) {
                if (all.add(r)) {
                    ordered.add(r);
                }
            }
        }
        return ordered;
    }

    @Override
    public ListenerRouter listener(HttpExchange exchange) {
        return listeners.lookup(exchange.host());
    }

    @Override
    public List<ListenerRouter> listeners() {
        return listenerOrder;
    }

    @Override
    public boolean isMisdirected(String sniHost, String host) {
        return sniHost != null && listeners.lookup(sniHost) != listeners.lookup(host);
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("port ").append(port).append(' ').append(protocol).append('\n');
        List<String> hosts = listeners.hostnames();
        for (int i = 0; i < listenerOrder.size(); i++) {
            sb.append("  listener ").append(listenerOrder.get(i).label()).append(" host=").append(hosts.get(i))
                    .append('\n');
            listenerOrder.get(i).describe(sb);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
