package dev.gatehouse.ir;

import java.util.List;

/**
 * The rules that serve one effective hostname (route hostname intersected with listener hostname).
 * A request is served by the most specific virtual host whose hostname matches it: exact, then the
 * longest wildcard suffix, then {@code "*"}; only that host's rules are considered, as in Envoy.
 *
 * @param hostname exact lower-case name, "*.suffix" wildcard, or "*" for any host
 * @param rules every rule of every route attached under this hostname, in the spec's precedence order
 */
public record VirtualHostSpec(String hostname, List<HttpRuleSpec> rules) {
    public VirtualHostSpec {
        rules = List.copyOf(rules);
    }
}
