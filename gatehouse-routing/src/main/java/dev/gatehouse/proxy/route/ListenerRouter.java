package dev.gatehouse.proxy.route;

import dev.gatehouse.proxy.filter.HttpExchange;

import java.util.List;
import java.util.Map;

/**
 * The routes of one Gateway listener: virtual hosts indexed by hostname, each with its complete rule list
 * in precedence order (the translator already folded in the fall-through rules of less specific hosts),
 * so matching is "most specific vhost, then first rule that matches" (scanning only the rules that the
 * path's first segment leaves possible, see {@link SegmentIndexedRules}).
 */
final class ListenerRouter {
    private final String label;
    private final HostIndex<SegmentIndexedRules> virtualHosts;
    private final Map<String, List<CompiledRoute>> rulesByHost;

    ListenerRouter(String label, HostIndex<SegmentIndexedRules> virtualHosts, Map<String, List<CompiledRoute>> rulesByHost) {
        this.label = label;
        this.virtualHosts = virtualHosts;
        this.rulesByHost = rulesByHost;
    }

    /** "namespace/gateway listener" */
    String label() {
        return label;
    }

    CompiledRoute route(String host, HttpExchange exchange) {
        SegmentIndexedRules rules = virtualHosts.lookup(host);
        return rules == null ? null : rules.match(exchange);
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
