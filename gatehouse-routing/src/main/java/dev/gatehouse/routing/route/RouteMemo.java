package dev.gatehouse.routing.route;

import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.routing.balance.Cluster;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one compile made of each rule and virtual host, for the next compile: a rule compiled last time on the
 * same listener, whose clusters are the same {@link Cluster} instances, gets the same
 * {@link CompiledRoute} (and so keeps its balancer's state and its bound meters), and a virtual host whose routes
 * are all the same instances keeps its rule index. A reload then compiles what changed: the rules of a changed
 * route, and those whose backends' endpoints changed (a changed cluster is a new instance). The rule is looked up
 * by identity: a change of EndpointSlices only keeps every rule's IR instance (the translator's EndpointRefresh);
 * looking new, equal rules up by equality cost as much as compiling them (a record hashes and compares deeply).
 * One compile writes the memo the next reads; single-threaded, as the control thread compiles.
 */
public final class RouteMemo {
    /** A compiled rule and every cluster it looked up by name (null: the name was not in the snapshot). */
    record Made(CompiledRoute route, Map<String, Cluster> looked) { }

    /** A virtual host's routes, in order, and the index built over them. */
    record Host(List<CompiledRoute> routes, SegmentIndexedRules index) { }

    private final Map<String, Map<HttpRuleSpec, Made>> previousRules;
    private final Map<String, Map<String, Host>> previousHosts;
    final Map<String, Map<HttpRuleSpec, Made>> rules = new HashMap<>();
    final Map<String, Map<String, Host>> hosts = new HashMap<>();
    private int reused;

    /** A memo with nothing to reuse. */
    public RouteMemo() {
        this(Map.of(), Map.of());
    }

    private RouteMemo(Map<String, Map<HttpRuleSpec, Made>> previousRules, Map<String, Map<String, Host>> previousHosts) {
        this.previousRules = previousRules;
        this.previousHosts = previousHosts;
    }

    /** The memo for the next compile, reading what this one's compile made. */
    public RouteMemo next() {
        return new RouteMemo(rules, hosts);
    }

    /** How many rules this compile took from the previous one (tests, logs). */
    public int reused() {
        return reused;
    }

    /** The previous compile's route for this very rule on {@code listener}, if every cluster it used is the same. */
    CompiledRoute route(String listener, HttpRuleSpec rule, Map<String, Cluster> clusters) {
        Made made = previousRules.getOrDefault(listener, Map.of()).get(rule);
        if (made == null) {
            return null;
        }
        for (Map.Entry<String, Cluster> e : made.looked().entrySet()) {
            if (clusters.get(e.getKey()) != e.getValue()) {
                return null;
            }
        }
        keep(listener, rule, made);
        reused++;
        return made.route();
    }

    void keep(String listener, HttpRuleSpec rule, Made made) {
        rules.computeIfAbsent(listener, l -> new IdentityHashMap<>()).put(rule, made);
    }

    /** The previous compile's index for this host when its routes are the very same, else {@code null}. */
    SegmentIndexedRules host(String listener, String hostname, List<CompiledRoute> routes) {
        Host host = previousHosts.getOrDefault(listener, Map.of()).get(hostname);
        if (host == null || host.routes().size() != routes.size()) {
            return null;
        }
        for (int i = 0; i < routes.size(); i++) {
            if (host.routes().get(i) != routes.get(i)) {
                return null;
            }
        }
        return host.index();
    }

    void keepHost(String listener, String hostname, List<CompiledRoute> routes, SegmentIndexedRules index) {
        hosts.computeIfAbsent(listener, l -> new HashMap<>()).put(hostname, new Host(routes, index));
    }
}
