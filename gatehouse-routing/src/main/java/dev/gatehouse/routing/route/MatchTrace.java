package dev.gatehouse.routing.route;

import java.util.List;

/**
 * The facts behind one routing decision, gathered by the same indexes and matchers that route requests
 * (see {@link HostIndexedPortRouter#trace}). Explain turns it into words; nothing on the request path
 * builds one.
 *
 * @param listeners every listener of the port in the order they were compiled, with whether its hostname covers the host
 * @param listener "namespace/gateway/listener" the request lands on, or {@code null}
 * @param virtualHosts every virtual host of that listener, or empty when no listener was chosen
 * @param virtualHost the chosen virtual host's hostname ("*" for the catch-all), or {@code null}
 * @param rules every rule of the chosen virtual host in precedence order
 * @param route what the data plane routes to, or {@code null} (404)
 * @param inconsistency non-null only if a full scan of the rules disagrees with the data plane's indexed
 *                      lookup: a bug, reported rather than papered over
 */
public record MatchTrace(List<ListenerCheck> listeners, String listener, List<HostCheck> virtualHosts,
                         String virtualHost, List<RuleCheck> rules, Route route, String inconsistency) {
    public MatchTrace {
        listeners = List.copyOf(listeners);
        virtualHosts = List.copyOf(virtualHosts);
        rules = List.copyOf(rules);
    }

    /**
     * @param gateway "namespace/name"
     * @param name sectionName
     * @param hostname the listener hostname, or {@code null} for any host
     * @param matches whether the hostname covers the request host
     * @param chosen whether the request lands here (the most specific listener that matches)
     */
    public record ListenerCheck(String gateway, String name, String hostname, boolean matches, boolean chosen) { }

    /** @param hostname "*" for the catch-all */
    public record HostCheck(String hostname, boolean matches, boolean chosen) { }

    /**
     * @param route the compiled rule
     * @param failure the first condition that fails, or {@code null} when the rule matches
     * @param reached whether routing gets this far (false for every rule after the first match)
     */
    public record RuleCheck(CompiledRoute route, String failure, boolean reached) { }
}
