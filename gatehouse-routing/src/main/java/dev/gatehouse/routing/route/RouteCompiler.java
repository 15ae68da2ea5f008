package dev.gatehouse.routing.route;

import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.VirtualHostSpec;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.auth.SecurityFilters;
import dev.gatehouse.routing.filter.FilterCompiler;
import dev.gatehouse.routing.filter.HttpFilter;
import dev.gatehouse.routing.ratelimit.RateLimitFilter;
import dev.gatehouse.routing.ratelimit.RateLimiters;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** IR port -> {@link HostIndexedPortRouter}. Runs off the event loops, once per snapshot. */
final class RouteCompiler {
    private final Map<String, Cluster> clusters;
    private final FilterCompiler filterCompiler;
    private final RateLimiters rateLimiters;
    /**
     * One matcher per distinct match: a multi-tenant config repeats a few ({@code PathPrefix /api}, a canary
     * header) across thousands of hosts, and with one shared instance (and one first-segment key for the hosts'
     * segment indexes) what a request's rules compare against stays in cache however many hosts there are.
     */
    private final Map<HttpMatchSpec, RequestMatcher> matchers = new HashMap<>();

    private final RouteMemo memo;
    /** The clusters the rule being compiled looked up, for {@link RouteMemo} (null values: names not found). */
    private Map<String, Cluster> looked = new HashMap<>();

    RouteCompiler(Map<String, Cluster> clusters, RateLimiters rateLimiters, RouteMemo memo) {
        this.clusters = clusters;
        this.rateLimiters = rateLimiters;
        this.memo = memo;
        this.filterCompiler = new FilterCompiler(this::cluster);
    }

    private Cluster cluster(String name) {
        Cluster c = clusters.get(name);
        looked.put(name, c);
        return c;
    }

    HostIndexedPortRouter compile(PortSpec port) {
        HostIndex.Builder<ListenerRouter> index = HostIndex.builder();
        List<ListenerRouter> order = new ArrayList<>();
        for (ListenerSpec listener : port.listeners()) {
            ListenerRouter router = compileListener(listener);
            // The IR sorts most specific first; a later listener with the same hostname can never win.
            if (index.add(listener.hostname(), router)) {
                order.add(router);
            }
        }
        return new HostIndexedPortRouter(port.port(), port.protocol().name(), index.build(), order);
    }

    private ListenerRouter compileListener(ListenerSpec listener) {
        String label = listener.gateway() + " " + listener.name();
        // A rule folded into several virtual hosts compiles once, so it shares one balancer.
        Map<HttpRuleSpec, CompiledRoute> compiled = new IdentityHashMap<>();
        HostIndex.Builder<SegmentIndexedRules> index = HostIndex.builder();
        Map<String, List<CompiledRoute>> byHost = new LinkedHashMap<>();
        for (VirtualHostSpec vhost : listener.virtualHosts()) {
            List<CompiledRoute> rules = new ArrayList<>(vhost.rules().size());
            for (HttpRuleSpec rule : vhost.rules()) {
                CompiledRoute route = compiled.get(rule);
                if (route == null) {
                    route = memo.route(label, rule, clusters);
                }
                if (route == null) {
                    looked = new HashMap<>();
                    route = compileRule(rule, label);
                    memo.keep(label, rule, new RouteMemo.Made(route, looked));
                }
                compiled.put(rule, route);
                rules.add(route);
            }
            SegmentIndexedRules hostRules = memo.host(label, vhost.hostname(), rules);
            if (hostRules == null) {
                hostRules = SegmentIndexedRules.of(rules);
            }
            memo.keepHost(label, vhost.hostname(), rules, hostRules);
            if (index.add(vhost.hostname(), hostRules)) {
                byHost.put(normalized(vhost.hostname()), List.copyOf(rules));
            }
        }
        return new ListenerRouter(listener.gateway(), listener.name(), listener.hostname(), index.build(), byHost);
    }

    private CompiledRoute compileRule(HttpRuleSpec rule, String listener) {
        try {
            RequestMatcher matcher = matchers.computeIfAbsent(rule.match(), RequestMatcher::compile);
            // issue 14's order: the SecurityPolicy's filters (cors, ext-auth, authentication, authorization), then
            // rate limiting (a refused credential spends no quota; a limit may count per consumer), then the rule's own
            List<HttpFilter> filters = new ArrayList<>(SecurityFilters.compile(rule.security(), this::cluster));
            if (rule.rateLimit() != null) {
                filters.add(RateLimitFilter.compile(rule.rateLimit(), rateLimiters));
            }
            filters.addAll(filterCompiler.compileAll(rule.filters()));
            List<Backend> backends = new ArrayList<>(rule.backends().size());
            List<Integer> weights = new ArrayList<>(rule.backends().size());
            for (BackendRefSpec ref : rule.backends()) {
                backends.add(compileBackend(ref));
                weights.add(ref.weight());
            }
            return new CompiledRoute(rule.route(), listener, matcher, filters, backends, weights, rule.timeouts(),
                    rule.sessionPersistence(), rule.retry(), rule.policies());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe(rule.route()) + " on listener " + listener + ": "
                    + e.getMessage(), e);
        }
    }

    private Backend compileBackend(BackendRefSpec ref) {
        List<HttpFilter> filters = filterCompiler.compileAll(ref.filters());
        if (ref.cluster() == null) {
            return new Backend(null, filters, ref.invalidReason() != null ? ref.invalidReason() : "invalid backendRef");
        }
        Cluster cluster = cluster(ref.cluster());
        if (cluster == null) {
            // A translator bug rather than user error; answer this share with 500 instead of failing the config.
            return new Backend(null, filters, "cluster " + ref.cluster() + " is not in the snapshot");
        }
        return new Backend(cluster, filters, null);
    }

    static String describe(RouteRef ref) {
        if (ref == null) {
            return "route ?";
        }
        return ref.kind() + " " + ref.qualifiedName() + " rule " + ref.ruleIndex()
                + (ref.ruleName() != null ? " (" + ref.ruleName() + ")" : "") + " match " + ref.matchIndex();
    }

    private static String normalized(String hostname) {
        return hostname == null || hostname.equals("*") ? "*" : hostname.toLowerCase(Locale.ROOT);
    }
}
