package dev.gatehouse.routing.explain;

import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.L4RouteSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.balance.EndpointHealth;
import dev.gatehouse.routing.explain.Explanation.BackendExplanation;
import dev.gatehouse.routing.explain.Explanation.FilterExplanation;
import dev.gatehouse.routing.explain.Explanation.ListenerExplanation;
import dev.gatehouse.routing.explain.Explanation.Outcome;
import dev.gatehouse.routing.explain.Explanation.OutcomeKind;
import dev.gatehouse.routing.explain.Explanation.RuleExplanation;
import dev.gatehouse.routing.explain.Explanation.Verdict;
import dev.gatehouse.routing.explain.Explanation.VirtualHostExplanation;
import dev.gatehouse.ir.PolicyChoice;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import dev.gatehouse.routing.route.Backend;
import dev.gatehouse.routing.route.CompiledRoute;
import dev.gatehouse.routing.route.GrpcCalls;
import dev.gatehouse.routing.route.HostIndexedPortRouter;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.route.L4PortRouter;
import dev.gatehouse.routing.route.MatchTrace;
import dev.gatehouse.routing.route.Route;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import io.netty.handler.codec.http.HttpHeaderNames;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Explains what the data plane would do with a request that was not sent: port, listener, virtual host,
 * every rule with its verdict, filters, backends and the outcome.
 *
 * <p>Why it cannot disagree with routing: matching comes from {@link HostIndexedPortRouter#trace}, which
 * runs the data plane's own host indexes and matchers and reports the route that {@code route()} returns;
 * filters that declare themselves {@link HttpFilter#sideEffectFree() side-effect free} run for real on a
 * synthetic request. What would leave a trace (mirroring's random draw, balancer and round-robin
 * counters) is described from the compiled config instead, never run.
 */
public final class RouteExplainer {
    private RouteExplainer() {
    }

    public static Explanation explain(RuntimeSnapshot snapshot, ExplainRequest request) {
        List<Integer> httpPorts = new ArrayList<>(new TreeSet<>(snapshot.httpRouters().keySet()));
        L4PortRouter l4 = snapshot.l4Router(request.port());
        if (l4 != null) {
            return explainL4(snapshot, request, httpPorts, l4);
        }
        HttpPortRouter router = snapshot.httpRouter(request.port());
        if (router == null) {
            return noListener(snapshot, request, httpPorts);
        }
        Builder b = new Builder(request, httpPorts);
        b.protocol = router instanceof HostIndexedPortRouter h ? h.protocol() : "HTTP";
        if (request.scheme().equals("https") != b.protocol.equals("HTTPS")) {
            b.notes.add("the URL says " + request.scheme() + " but port " + request.port() + " speaks "
                    + b.protocol + "; explained as if the connection had succeeded");
        }
        HttpExchange exchange = request.toExchange();
        if (!(router instanceof HostIndexedPortRouter indexed)) {
            // Not a router we can look inside; report its answer only.
            Route route = router.route(exchange);
            return route == null ? b.build(new Outcome(OutcomeKind.NO_ROUTE, 404, "404 no route"))
                    : b.routed(route, exchange);
        }
        MatchTrace trace = indexed.trace(exchange);
        if (trace.inconsistency() != null) {
            b.notes.add("BUG, please report: " + trace.inconsistency());
        }
        String host = describeHost(request.host());
        explainListeners(b, trace, host);
        if (router.isMisdirected(request.sniHost(), request.host())) {
            String sniListener = indexed.trace(request.withHost(request.sniHost()).toExchange()).listener();
            return b.build(new Outcome(OutcomeKind.MISDIRECTED, 421, "421 misdirected request: TLS server name "
                    + request.sniHost() + " selects listener " + (sniListener == null ? "(none)" : sniListener)
                    + " but Host " + host + " selects " + (trace.listener() == null ? "(none)" : trace.listener())));
        }
        if (trace.listener() == null) {
            String names = trace.listeners().stream().map(l -> l.gateway() + "/" + l.name() + " ("
                    + (l.hostname() == null ? "*" : l.hostname()) + ")").collect(Collectors.joining(", "));
            return b.build(new Outcome(OutcomeKind.NO_ROUTE, 404, "404 no route: no listener on port "
                    + request.port() + " matches host " + host + (names.isEmpty() ? "" : "; listeners are: " + names)));
        }
        explainVirtualHosts(b, trace, host);
        if (trace.virtualHost() == null) {
            String summary = trace.virtualHosts().isEmpty()
                    ? "404 no route: listener " + trace.listener() + " has no routes attached"
                    : "404 no route: no route attached to listener " + trace.listener() + " serves host " + host
                    + "; hostnames are: " + trace.virtualHosts().stream().map(MatchTrace.HostCheck::hostname)
                    .collect(Collectors.joining(", "));
            return b.build(new Outcome(OutcomeKind.NO_ROUTE, 404, summary));
        }
        explainRules(b, trace);
        if (trace.route() == null) {
            return b.build(new Outcome(OutcomeKind.NO_ROUTE, 404, "404 no route: no rule of virtual host "
                    + trace.virtualHost() + " matches (" + trace.rules().size() + " checked)"));
        }
        return b.routed(trace.route(), exchange);
    }

    /**
     * A TCP, UDP or TLS port: the rule {@link L4PortRouter#rule} picks (by the TLS server name on a TLS port: the
     * URL's host, as a client would send it) and its weighted backends; no balancer is advanced.
     */
    private static Explanation explainL4(RuntimeSnapshot snapshot, ExplainRequest request, List<Integer> httpPorts,
                                         L4PortRouter router) {
        Builder b = new Builder(request, httpPorts);
        b.protocol = snapshot.source().ports().stream().filter(p -> p.port() == request.port())
                .map(p -> p.protocol().name()).findFirst().orElse("TCP");
        if (request.scheme().startsWith("http")) {
            b.notes.add("port " + request.port() + " serves " + b.protocol + ", not HTTP: a connection is relayed as "
                    + "bytes by its route, whatever it carries");
        }
        String sni = router.routesBySni() ? request.sniHost() : null;
        if (router.routesBySni() && sni == null) {
            b.notes.add("a TLS port routes by the ClientHello's server name; give a tls:// or https:// URL with a "
                    + "host name");
        }
        L4RouteSpec rule = router.routesBySni() && sni == null ? null : router.rule(sni);
        if (rule == null) {
            return b.build(new Outcome(OutcomeKind.NO_ROUTE, 0, "connection closed: no route on port "
                    + request.port() + (sni == null ? "" : " claims server name " + sni)));
        }
        b.matchedRule = rule.route();
        List<Backend> backends = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        for (BackendRefSpec ref : rule.backends()) {
            backends.add(new Backend(ref.cluster() == null ? null : snapshot.cluster(ref.cluster()), List.of(),
                    ref.invalidReason()));
            weights.add(ref.weight());
        }
        return b.build(b.explainBackends(backends, weights, true));
    }

    private static Explanation noListener(RuntimeSnapshot snapshot, ExplainRequest request, List<Integer> httpPorts) {
        Builder b = new Builder(request, httpPorts);
        for (PortSpec p : snapshot.source().ports()) {
            if (p.port() == request.port()) {
                b.notes.add("port " + p.port() + " serves " + p.protocol() + ", not HTTP");
            }
        }
        String ports = httpPorts.isEmpty() ? "no HTTP ports are bound"
                : "ports are " + httpPorts.stream().map(String::valueOf).collect(Collectors.joining(", "));
        return b.build(new Outcome(OutcomeKind.NO_LISTENER, 0, "no listener on port " + request.port() + "; " + ports));
    }

    private static String describeHost(String host) {
        return host == null || host.isEmpty() ? "(none)" : host;
    }

    private static void explainListeners(Builder b, MatchTrace trace, String host) {
        for (MatchTrace.ListenerCheck l : trace.listeners()) {
            String reason;
            if (l.chosen()) {
                reason = "most specific hostname that matches " + host;
            } else if (l.matches()) {
                reason = "matches too, but " + trace.listener() + " is more specific; listeners are isolated, "
                        + "so its routes are not considered";
            } else {
                reason = "does not match " + host;
            }
            b.listeners.add(new ListenerExplanation(l.gateway() + "/" + l.name(),
                    l.hostname() == null ? "*" : l.hostname(), l.matches(), l.chosen(), reason));
        }
    }

    private static void explainVirtualHosts(Builder b, MatchTrace trace, String host) {
        for (MatchTrace.HostCheck h : trace.virtualHosts()) {
            String reason;
            if (h.chosen()) {
                reason = "most specific hostname that matches " + host;
            } else if (h.matches()) {
                reason = "matches too, but " + trace.virtualHost() + " is more specific (its rule list already "
                        + "holds the rules of less specific hostnames)";
            } else {
                reason = "does not match " + host;
            }
            b.virtualHosts.add(new VirtualHostExplanation(h.hostname(), h.matches(), h.chosen(), reason));
        }
    }

    private static void explainRules(Builder b, MatchTrace trace) {
        int matched = -1;
        List<MatchTrace.RuleCheck> rules = trace.rules();
        for (int i = 0; i < rules.size(); i++) {
            MatchTrace.RuleCheck r = rules.get(i);
            Verdict verdict;
            String reason;
            if (!r.reached()) {
                verdict = Verdict.NOT_REACHED;
                reason = "shadowed by the rule above ([" + matched + "]); "
                        + (r.failure() == null ? "it would match too" : "it would not match anyway: " + r.failure());
            } else if (r.failure() == null) {
                verdict = Verdict.MATCHED;
                reason = "all conditions hold";
                matched = i;
            } else {
                verdict = Verdict.NOT_MATCHED;
                reason = r.failure();
            }
            b.rules.add(new RuleExplanation(i, r.route().ref(), r.route().describeMatch(), verdict, reason));
        }
    }

    /** "HTTPRoute ns/name rule 1 (name) match 0" */
    static String refText(RouteRef ref) {
        return ref.kind() + " " + ref.qualifiedName() + " rule " + ref.ruleIndex()
                + (ref.ruleName() != null ? " (" + ref.ruleName() + ")" : "") + " match " + ref.matchIndex();
    }

    /** Collects the stages as they are explained. */
    private static final class Builder {
        private final ExplainRequest request;
        private final List<Integer> httpPorts;
        private String protocol;
        private final List<ListenerExplanation> listeners = new ArrayList<>();
        private final List<VirtualHostExplanation> virtualHosts = new ArrayList<>();
        private final List<RuleExplanation> rules = new ArrayList<>();
        private RouteRef matchedRule;
        private List<PolicyChoice> policies = List.of();
        private final List<FilterExplanation> filters = new ArrayList<>();
        private final List<BackendExplanation> backends = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();

        Builder(ExplainRequest request, List<Integer> httpPorts) {
            this.request = request;
            this.httpPorts = httpPorts;
        }

        Explanation build(Outcome outcome) {
            String grpcStatus = outcome.kind() == OutcomeKind.NO_ROUTE && outcome.status() == 404
                    ? "12 (UNIMPLEMENTED)" : outcome.kind() == OutcomeKind.INVALID_BACKEND && outcome.status() == 500
                    ? "14 (UNAVAILABLE)" : outcome.kind() == OutcomeKind.FILTER_RESPONSE && outcome.status() != 200
                    ? GrpcCalls.describe(GrpcCalls.filterStatusFor(outcome.status())) : null;
            if (grpcStatus != null && isGrpc()) {
                notes.add("a gRPC call: the gateway answers HTTP 200 with grpc-status " + grpcStatus
                        + " and the reason in grpc-message");
            }
            return new Explanation(request, request.port(), protocol, httpPorts, listeners, virtualHosts, rules,
                    matchedRule, policies, filters, backends, outcome, notes);
        }

        private boolean isGrpc() {
            return request.headers().stream().anyMatch(h -> h.name().equalsIgnoreCase("content-type")
                    && GrpcCalls.isGrpcContentType(h.value()));
        }

        /** The matched rule: its filters (run when side-effect free), backends and the outcome. */
        Explanation routed(Route route, HttpExchange exchange) {
            matchedRule = route.ref();
            if (route instanceof CompiledRoute compiled) {
                policies = compiled.policies();
            }
            exchange.route(route);
            Outcome responded = null;
            for (HttpFilter f : route.filters()) {
                if (responded != null) {
                    filters.add(new FilterExplanation(f.type(), f.describe(), "not reached: an earlier filter answered"));
                    continue;
                }
                FilterPreview run = FilterPreview.of(f, exchange);
                filters.add(new FilterExplanation(f.type(), f.describe(), run.effect()));
                responded = run.response();
            }
            if (!(route instanceof CompiledRoute compiled)) {
                return build(responded != null ? responded
                        : new Outcome(OutcomeKind.PROXIED, 0, "routed by " + refText(route.ref()) + " (backends not inspectable)"));
            }
            Outcome outcome = explainBackends(compiled.backends(), compiled.weights(), false);
            if (responded != null) {
                return build(responded);
            }
            if (outcome.kind() == OutcomeKind.PROXIED) {
                notes.add("upstream request: " + exchange.request().method() + " " + exchange.request().uri()
                        + ", Host " + exchange.request().headers().get(HttpHeaderNames.HOST));
            }
            return build(outcome);
        }

        /** @param l4 a connection relayed (closed when it cannot be), not a request answered with a status */
        private Outcome explainBackends(List<Backend> list, List<Integer> weights, boolean l4) {
            long total = 0;
            for (int w : weights) {
                total += w;
            }
            List<String> answers = new ArrayList<>();
            Outcome first = null;
            boolean proxied = false;
            for (int i = 0; i < list.size(); i++) {
                Backend backend = list.get(i);
                int weight = weights.get(i);
                double share = total == 0 ? 0 : Math.round(weight * 1000.0 / total) / 10.0;
                List<String> endpoints = backend.cluster() == null ? List.of()
                        : backend.cluster().endpoints().stream().map(a -> withHealth(backend.cluster(), a)).toList();
                List<FilterExplanation> backendFilters = backend.filters().stream()
                        .map(f -> new FilterExplanation(f.type(), f.describe(), "runs only when this backend is picked"))
                        .toList();
                backends.add(new BackendExplanation(backend.cluster() == null ? null : backend.cluster().name(), weight,
                        share, backend.invalidReason(), endpoints, backendFilters,
                        backend.cluster() == null ? null : backend.cluster().algorithm()));
                if (weight == 0) {
                    continue;
                }
                Outcome answer;
                if (backend.cluster() == null) {
                    answer = l4 ? new Outcome(OutcomeKind.INVALID_BACKEND, 0, "connection closed: invalid backendRef: "
                            + backend.invalidReason())
                            : new Outcome(OutcomeKind.INVALID_BACKEND, 500, "500 invalid backendRef: " + backend.invalidReason());
                } else if (endpoints.isEmpty()) {
                    answer = l4 ? new Outcome(OutcomeKind.NO_ENDPOINTS, 0, "connection closed: no ready endpoints in "
                            + "cluster " + backend.cluster().name())
                            : new Outcome(OutcomeKind.NO_ENDPOINTS, 503, "503 no ready endpoints in cluster " + backend.cluster().name());
                } else {
                    answer = new Outcome(OutcomeKind.PROXIED, 0, (l4 ? "relayed to cluster " : "proxied to cluster ")
                            + backend.cluster().name());
                    proxied = true;
                }
                first = first == null ? answer : first;
                answers.add(answer.summary() + " (" + percent(share) + ")");
            }
            if (first == null) {
                String why = list.isEmpty() ? "no backends: the rule has no backendRefs"
                        : "no backends: every backendRef has weight 0";
                return l4 ? new Outcome(OutcomeKind.NO_BACKENDS, 0, "connection closed: " + why)
                        : new Outcome(OutcomeKind.NO_BACKENDS, 500, "500 " + why);
            }
            if (answers.size() == 1) {
                return first;
            }
            String summary = String.join(", ", answers);
            return proxied ? new Outcome(OutcomeKind.PROXIED, 0, summary) : new Outcome(first.kind(), first.status(), summary);
        }
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share);
    }

    /** "10.0.0.7:8080", or "10.0.0.7:8080 (unhealthy: HTTP 503)" once the gateway knows its health. */
    private static String withHealth(Cluster cluster, InetSocketAddress a) {
        EndpointHealth h = cluster.healthOf(a);
        String summary = h == null ? null : h.summary();
        return summary == null ? address(a) : address(a) + " (" + summary + ")";
    }

    private static String address(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
