package dev.gatehouse.app.admin;

import dev.gatehouse.app.control.StatusProblems;
import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.FilterSpec;
import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.L4RouteSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.ir.VirtualHostSpec;
import dev.gatehouse.translate.Condition;
import dev.gatehouse.translate.ResourceStatus;
import dev.gatehouse.translate.Translation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code GET /routes}: listeners, the routes attached to each with their rules (matches, filters, weighted
 * backends; for TCP, UDP and TLS listeners their TCPRoutes, UDPRoutes and TLSRoutes) and status conditions, and the routes that attached nowhere with the condition that says why.
 *
 * <p>The snapshot stores rules per virtual host, already in precedence order and with the rules of less
 * specific hostnames copied into the more specific hosts they also cover. Here they are regrouped by route,
 * which is how an operator wrote them; {@code hostnames} drops a name that another of the route's names
 * already covers, so a route without hostnames shows "*" rather than every host it was copied into.
 */
public record RouteTableReport(long generation, List<ListenerView> listeners, List<UnattachedView> unattached) {
    public RouteTableReport {
        listeners = List.copyOf(listeners);
        unattached = List.copyOf(unattached);
    }

    /** @param id "namespace/gateway/listener" */
    public record ListenerView(String id, int port, String protocol, String gateway, String name, String hostname,
                               boolean tls, List<String> problems, List<RouteView> routes) {
        public ListenerView {
            problems = List.copyOf(problems);
            routes = List.copyOf(routes);
        }
    }

    /** @param route "namespace/name" */
    public record RouteView(String route, String kind, List<String> hostnames, List<RuleView> rules,
                            List<Condition> conditions, List<String> problems) {
        public RouteView {
            hostnames = List.copyOf(hostnames);
            rules = List.copyOf(rules);
            conditions = List.copyOf(conditions);
            problems = List.copyOf(problems);
        }
    }

    /** @param matches one line per match, e.g. "PathPrefix /v1 method=GET header:x-env=prod" */
    public record RuleView(int index, String name, List<String> matches, List<FilterView> filters,
                           List<BackendView> backends, TimeoutSpec timeouts) {
        public RuleView {
            matches = List.copyOf(matches);
            filters = List.copyOf(filters);
            backends = List.copyOf(backends);
        }
    }

    /** @param type the Gateway API filter type; @param config the filter's compiled settings */
    public record FilterView(String type, FilterSpec config) { }

    /** @param cluster {@code null} for an invalid reference, whose share answers 500 */
    public record BackendView(String cluster, int weight, String invalidReason, List<FilterView> filters) {
        public BackendView {
            filters = List.copyOf(filters);
        }
    }

    /** A route's parentRef that did not attach, with the condition that says why. */
    public record UnattachedView(String route, String parentRef, String reason, String message) { }

    public static RouteTableReport of(Translation t) {
        Map<String, ResourceStatus> routeStatus = new LinkedHashMap<>();
        Map<String, ResourceStatus.ListenerStatus> listenerStatus = new LinkedHashMap<>();
        List<UnattachedView> unattached = new ArrayList<>();
        for (ResourceStatus s : t.statuses()) {
            if (s.kind().equals("Gateway")) {
                s.listeners().forEach(l -> listenerStatus.put(s.namespace() + "/" + s.name() + "/" + l.name(), l));
            } else if (!s.parents().isEmpty()) {
                // by kind too: an HTTPRoute, a GRPCRoute and a TCPRoute may have the same namespace/name
                routeStatus.put(s.kind() + " " + s.namespace() + "/" + s.name(), s);
                for (ResourceStatus.ParentStatus p : s.parents()) {
                    for (Condition c : p.conditions()) {
                        if (c.type().equals("Accepted") && !c.status().equals("True")) {
                            unattached.add(new UnattachedView(s.namespace() + "/" + s.name(), p.parentRef(),
                                    c.reason(), c.message()));
                        }
                    }
                }
            }
        }
        List<ListenerView> listeners = new ArrayList<>();
        for (PortSpec port : t.snapshot().ports()) {
            for (ListenerSpec l : port.listeners()) {
                String id = l.gateway() + "/" + l.name();
                ResourceStatus.ListenerStatus ls = listenerStatus.get(id);
                List<String> problems = ls == null ? List.of() : StatusProblems.of(new ResourceStatus("Gateway",
                        null, l.gateway(), List.of(), List.of(ls), List.of()));
                listeners.add(new ListenerView(id, port.port(), port.protocol().name(), l.gateway(), l.name(),
                        l.hostname() == null ? "*" : l.hostname(), l.tls() != null, problems,
                        l.l4Routes() == null ? routes(l, routeStatus) : l4Routes(l, routeStatus)));
            }
        }
        return new RouteTableReport(t.snapshot().generation(), listeners, unattached);
    }

    private static List<RouteView> routes(ListenerSpec listener, Map<String, ResourceStatus> statuses) {
        Map<String, Set<String>> hostnames = new LinkedHashMap<>();
        Map<String, Map<Integer, List<HttpRuleSpec>>> rules = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        for (VirtualHostSpec v : listener.virtualHosts()) {
            for (HttpRuleSpec rule : v.rules()) {
                String route = rule.route().kind() + " " + rule.route().qualifiedName();
                hostnames.computeIfAbsent(route, k -> new LinkedHashSet<>()).add(v.hostname());
                String key = route + "#" + rule.route().ruleIndex() + "#" + rule.route().matchIndex();
                if (seen.add(key)) {
                    rules.computeIfAbsent(route, k -> new TreeMap<>())
                            .computeIfAbsent(rule.route().ruleIndex(), k -> new ArrayList<>()).add(rule);
                }
            }
        }
        List<RouteView> out = new ArrayList<>();
        rules.forEach((route, byIndex) -> {
            List<RuleView> views = new ArrayList<>();
            byIndex.forEach((index, matches) -> {
                HttpRuleSpec first = matches.get(0);
                views.add(new RuleView(index, first.route().ruleName(),
                        matches.stream().map(r -> describe(r.match())).toList(),
                        first.filters().stream().map(RouteTableReport::filter).toList(),
                        first.backends().stream().map(RouteTableReport::backend).toList(), first.timeouts()));
            });
            int space = route.indexOf(' ');
            out.add(view(route.substring(space + 1), route.substring(0, space), narrowest(hostnames.get(route)), views,
                    statuses.get(route)));
        });
        return out;
    }

    /**
     * A TCP, UDP or TLS listener's routes: each rule with its weighted backends; a TLSRoute's SNI names as its
     * hostnames (its rules are stored once per name), none for TCPRoute and UDPRoute.
     */
    private static List<RouteView> l4Routes(ListenerSpec listener, Map<String, ResourceStatus> statuses) {
        Map<String, Set<String>> hostnames = new LinkedHashMap<>();
        Map<String, Map<Integer, L4RouteSpec>> rules = new LinkedHashMap<>();
        for (L4RouteSpec rule : listener.l4Routes()) {
            String key = rule.route().kind() + " " + rule.route().qualifiedName();
            Set<String> names = hostnames.computeIfAbsent(key, k -> new LinkedHashSet<>());
            if (rule.hostname() != null) {
                names.add(rule.hostname());
            }
            rules.computeIfAbsent(key, k -> new TreeMap<>()).putIfAbsent(rule.route().ruleIndex(), rule);
        }
        List<RouteView> out = new ArrayList<>();
        rules.forEach((key, byIndex) -> {
            L4RouteSpec any = byIndex.values().iterator().next();
            List<RuleView> views = new ArrayList<>();
            byIndex.forEach((index, rule) -> views.add(new RuleView(index, rule.route().ruleName(), List.of(), List.of(),
                    rule.backends().stream().map(RouteTableReport::backend).toList(), null)));
            out.add(view(any.route().qualifiedName(), any.route().kind(), List.copyOf(hostnames.get(key)), views,
                    statuses.get(key)));
        });
        return out;
    }

    /** @param status the route's status, or {@code null} */
    private static RouteView view(String route, String kind, List<String> hostnames, List<RuleView> rules,
                                  ResourceStatus status) {
        List<Condition> conditions = status == null ? List.of()
                : status.parents().stream().flatMap(p -> p.conditions().stream()).distinct().toList();
        List<String> problems = status == null ? List.of() : StatusProblems.of(status);
        return new RouteView(route, kind, hostnames, rules, conditions, problems);
    }

    /** Drops each hostname that another one in the set covers ("*" covers all, "*.a.com" covers "x.a.com"). */
    static List<String> narrowest(Set<String> hostnames) {
        List<String> out = new ArrayList<>();
        for (String h : hostnames) {
            boolean covered = hostnames.stream().anyMatch(o -> !o.equals(h) && covers(o, h));
            if (!covered) {
                out.add(h);
            }
        }
        return out;
    }

    private static boolean covers(String wildcard, String host) {
        if (wildcard.equals("*")) {
            return true;
        }
        if (!wildcard.startsWith("*.")) {
            return false;
        }
        String suffix = wildcard.substring(1);
        String h = host.startsWith("*.") ? host.substring(1) : host;
        return h.length() > suffix.length() && h.endsWith(suffix);
    }

    static String describe(HttpMatchSpec m) {
        StringBuilder b = new StringBuilder();
        b.append(switch (m.path().type()) {
            case EXACT -> "Exact";
            case PATH_PREFIX -> "PathPrefix";
            case REGULAR_EXPRESSION -> "RegularExpression";
        }).append(' ').append(m.path().value());
        if (m.method() != null) {
            b.append(" method=").append(m.method());
        }
        for (HttpMatchSpec.HeaderMatchSpec h : m.headers()) {
            b.append(" header:").append(h.name()).append(h.type() == HttpMatchSpec.ValueMatchType.EXACT ? "=" : "~")
                    .append(h.value());
        }
        for (HttpMatchSpec.QueryParamMatchSpec q : m.queryParams()) {
            b.append(" query:").append(q.name()).append(q.type() == HttpMatchSpec.ValueMatchType.EXACT ? "=" : "~")
                    .append(q.value());
        }
        return b.toString();
    }

    static FilterView filter(FilterSpec f) {
        // Java 17: no pattern switch yet, so an instanceof chain over the sealed variants.
        String type;
        if (f instanceof FilterSpec.RequestHeaderModifierSpec) {
            type = "RequestHeaderModifier";
        } else if (f instanceof FilterSpec.ResponseHeaderModifierSpec) {
            type = "ResponseHeaderModifier";
        } else if (f instanceof FilterSpec.RequestRedirectSpec) {
            type = "RequestRedirect";
        } else if (f instanceof FilterSpec.UrlRewriteSpec) {
            type = "URLRewrite";
        } else if (f instanceof FilterSpec.RequestMirrorSpec) {
            type = "RequestMirror";
        } else if (f instanceof FilterSpec.CorsSpec) {
            type = "CORS";
        } else if (f instanceof FilterSpec.ExternalAuthSpec) {
            type = "ExternalAuth";
        } else {
            type = "DirectResponse";
        }
        return new FilterView(type, f);
    }

    private static BackendView backend(BackendRefSpec b) {
        return new BackendView(b.cluster(), b.weight(), b.invalidReason(),
                b.filters().stream().map(RouteTableReport::filter).toList());
    }
}
