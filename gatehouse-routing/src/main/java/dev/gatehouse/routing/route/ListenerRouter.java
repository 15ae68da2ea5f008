package dev.gatehouse.routing.route;

import dev.gatehouse.routing.filter.HttpExchange;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The routes of one Gateway listener: virtual hosts indexed by hostname, each with its complete rule list
 * in precedence order (the translator already folded in the fall-through rules of less specific hosts),
 * so matching is "most specific vhost, then first rule that matches" (scanning only the rules that the
 * path's first segment leaves possible, see {@link SegmentIndexedRules}; for exact hostnames one probe of
 * {@link HostSegmentTable} finds those rules).
 * Public only for what observers bind to it: a request that matched none of its rules (404) is still counted
 * under the listener its host selected.
 */
public final class ListenerRouter {
    private final String gateway;
    private final String name;
    private final String hostname;
    private final String label;
    private final HostIndex<SegmentIndexedRules> virtualHosts;
    /** The exact hosts' rules by host and first path segment in one table: what a request probes first. */
    private final HostSegmentTable exactHosts;
    private final Map<String, List<CompiledRoute>> rulesByHost;
    /** Set once by the server before the snapshot is published, as {@link CompiledRoute#bindObservation}. */
    private Object observation;

    /**
     * @param gateway "namespace/name" of the Gateway
     * @param name the listener's sectionName
     * @param hostname the listener hostname, or {@code null} for any
     */
    ListenerRouter(String gateway, String name, String hostname, HostIndex<SegmentIndexedRules> virtualHosts,
                   Map<String, List<CompiledRoute>> rulesByHost) {
        this.gateway = gateway;
        this.name = name;
        this.hostname = hostname;
        this.label = gateway + " " + name;
        this.virtualHosts = virtualHosts;
        this.exactHosts = HostSegmentTable.of(virtualHosts.exact());
        this.rulesByHost = rulesByHost;
    }

    /** "namespace/gateway listener" */
    String label() {
        return label;
    }

    /** "namespace/gateway/listener", the form explain, debug traces and metric labels print. */
    public String id() {
        return gateway + "/" + name;
    }

    /** What the data plane's observers bound to this listener for requests none of its rules matched. */
    public Object observation() {
        return observation;
    }

    /** Off the event loops, before the snapshot is published. */
    public void bindObservation(Object state) {
        this.observation = state;
    }

    String gateway() {
        return gateway;
    }

    String name() {
        return name;
    }

    /** {@code null} for a listener without hostname. */
    String hostname() {
        return hostname;
    }

    CompiledRoute route(String host, HttpExchange exchange) {
        int at = exactHosts.find(host, exchange.path());
        if (at >= 0) {
            return exactHosts.match(at, exchange);
        }
        SegmentIndexedRules rules = virtualHosts.lookupNotExact(host);
        return rules == null ? null : rules.match(exchange);
    }

    /** The virtual host hostname {@link #route} would use for {@code host}, or {@code null}. */
    String virtualHostFor(String host) {
        return virtualHosts.matchedHostname(host);
    }

    /**
     * Explain's view of {@link #route}: every virtual host with whether it covers the host, then every
     * rule of the chosen one in precedence order with its first failing condition. The chosen rule is
     * what {@link #route} answers (the segment index is the data plane's shortcut, not a second opinion);
     * a full-scan disagreement is reported, never hidden.
     */
    MatchTrace trace(List<MatchTrace.ListenerCheck> listeners, String host, HttpExchange exchange) {
        String chosen = virtualHosts.matchedHostname(host);
        List<MatchTrace.HostCheck> hosts = new ArrayList<>();
        for (String h : virtualHosts.hostnames()) {
            hosts.add(new MatchTrace.HostCheck(h, HostIndex.covers(h, host), h.equals(chosen)));
        }
        List<MatchTrace.RuleCheck> rules = new ArrayList<>();
        CompiledRoute firstMatch = null;
        if (chosen != null) {
            for (CompiledRoute r : rulesByHost.get(chosen)) {
                String failure = r.explain(exchange);
                rules.add(new MatchTrace.RuleCheck(r, failure, firstMatch == null));
                if (failure == null && firstMatch == null) {
                    firstMatch = r;
                }
            }
        }
        CompiledRoute routed = route(host, exchange);
        String inconsistency = routed == firstMatch ? null
                : "the data plane routes to " + (routed == null ? "nothing" : routed.describe())
                + " but a full scan of the rules finds " + (firstMatch == null ? "nothing" : firstMatch.describe());
        return new MatchTrace(listeners, id(), hosts, chosen, rules, routed, inconsistency);
    }

    /** Every rule of every virtual host (a rule folded into several hosts appears several times). */
    List<CompiledRoute> routes() {
        List<CompiledRoute> all = new ArrayList<>();
        rulesByHost.values().forEach(all::addAll);
        return all;
    }

    void describe(StringBuilder sb) {
        for (String host : virtualHosts.hostnames()) {
            sb.append("    vhost ").append(host).append('\n');
            List<CompiledRoute> rules = rulesByHost.get(host);
            for (int i = 0; i < rules.size(); i++) {
                sb.append("      [").append(i).append("] ").append(rules.get(i).describe()).append('\n');
            }
        }
    }
}
