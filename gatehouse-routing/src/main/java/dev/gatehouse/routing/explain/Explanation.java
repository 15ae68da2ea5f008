package dev.gatehouse.routing.explain;

import dev.gatehouse.ir.PolicyChoice;
import dev.gatehouse.ir.RouteRef;

import java.util.ArrayList;
import java.util.List;

/**
 * What the data plane would do with a request, and why, as plain records (Strings, ints, booleans, lists,
 * enums) so the admin endpoint can serialize it as JSON and {@link ExplanationPrinter} as text. Stages the
 * request never reached are empty lists.
 *
 * @param request what was explained
 * @param port the port the request arrives on
 * @param protocol "HTTP"/"HTTPS" of that port, or {@code null} when no HTTP listener is bound there
 * @param httpPorts every port with HTTP(S) listeners, ascending
 * @param listeners every listener of the port, in most-specific-first order
 * @param virtualHosts the virtual hosts of the chosen listener
 * @param rules every rule of the chosen virtual host, in precedence order, with a verdict
 * @param matchedRule the rule the request is routed by, or {@code null}
 * @param policies the SecurityPolicy and BackendTrafficPolicy that apply to the matched rule and why (the target
 *                 that reached it, the less specific policies it overrides); empty when none
 * @param filters the matched rule's filters, in the order they run
 * @param backends the matched rule's backendRefs, in declared order
 * @param outcome what the client would get
 * @param notes other facts worth knowing (the caller may add status conditions with {@link #withNotes})
 */
public record Explanation(ExplainRequest request, int port, String protocol, List<Integer> httpPorts,
                          List<ListenerExplanation> listeners, List<VirtualHostExplanation> virtualHosts,
                          List<RuleExplanation> rules, RouteRef matchedRule, List<PolicyChoice> policies,
                          List<FilterExplanation> filters,
                          List<BackendExplanation> backends, Outcome outcome, List<String> notes) {
    public Explanation {
        httpPorts = List.copyOf(httpPorts);
        listeners = List.copyOf(listeners);
        virtualHosts = List.copyOf(virtualHosts);
        rules = List.copyOf(rules);
        policies = List.copyOf(policies);
        filters = List.copyOf(filters);
        backends = List.copyOf(backends);
        notes = List.copyOf(notes);
    }

    /** A copy with more notes, e.g. the translator's status conditions that explain a missing route. */
    public Explanation withNotes(List<String> more) {
        List<String> all = new ArrayList<>(notes);
        all.addAll(more);
        return new Explanation(request, port, protocol, httpPorts, listeners, virtualHosts, rules, matchedRule,
                policies, filters, backends, outcome, all);
    }

    /** A copy with another outcome, e.g. refused because the port, though configured, is not bound. */
    public Explanation withOutcome(Outcome other) {
        return new Explanation(request, port, protocol, httpPorts, listeners, virtualHosts, rules, matchedRule,
                policies, filters, backends, other, notes);
    }

    /**
     * @param id "namespace/gateway/listener"
     * @param hostname the listener hostname, "*" when it has none
     * @param hostnameMatches whether it covers the request host
     * @param chosen whether the request lands here
     * @param reason why it was or was not chosen
     */
    public record ListenerExplanation(String id, String hostname, boolean hostnameMatches, boolean chosen,
                                      String reason) { }

    /** @param hostname "*" for the catch-all */
    public record VirtualHostExplanation(String hostname, boolean matches, boolean chosen, String reason) { }

    /** How a rule fared. */
    public enum Verdict {
        /** the first rule whose conditions all hold: it routes the request */
        MATCHED,
        /** a condition fails; the reason names the first one */
        NOT_MATCHED,
        /** after the matched rule: routing never looks at it */
        NOT_REACHED
    }

    /**
     * @param position index in the virtual host's precedence order
     * @param ref the HTTPRoute rule and match
     * @param conditions the match, e.g. "PathPrefix /v1 method=GET header:x-env=prod"
     * @param reason for NOT_MATCHED the first failing condition; for NOT_REACHED which rule shadows it
     */
    public record RuleExplanation(int position, RouteRef ref, String conditions, Verdict verdict, String reason) { }

    /**
     * @param type the Gateway API filter name, e.g. "URLRewrite"
     * @param summary its compiled config, e.g. "URLRewrite path ReplacePrefixMatch /v1 -> /"
     * @param effect what it does to this request ("path /v1/a -> /a", "responds 301 ..."), or why explain did not run it
     */
    public record FilterExplanation(String type, String summary, String effect) { }

    /**
     * @param cluster "namespace/service:port", or {@code null} for an invalid backendRef
     * @param weight declared weight
     * @param sharePercent share of the rule's traffic, 0..100
     * @param invalidReason why the reference is invalid (its share answers 500), or {@code null}
     * @param endpoints ready endpoints "address:port", each with its health when known ("(unhealthy: HTTP 503)"); empty answers 503
     * @param filters filters that run only when this backend is picked (described, not run)
     */
    public record BackendExplanation(String cluster, int weight, double sharePercent, String invalidReason,
                                     List<String> endpoints, List<FilterExplanation> filters, String algorithm) {
        public BackendExplanation {
            endpoints = List.copyOf(endpoints);
            filters = List.copyOf(filters);
        }

        public BackendExplanation(String cluster, int weight, double sharePercent, String invalidReason,
                                  List<String> endpoints, List<FilterExplanation> filters) {
            this(cluster, weight, sharePercent, invalidReason, endpoints, filters, null);
        }
    }

    /** What the client would get. */
    public enum OutcomeKind {
        /** to a backend (status is the backend's) */
        PROXIED,
        /** nothing is bound to the port: the connection is refused */
        NO_LISTENER,
        /** 421: the TLS server name and the Host select different listeners of the port */
        MISDIRECTED,
        /** 404: no listener, virtual host or rule matches */
        NO_ROUTE,
        /** a RequestRedirect answers */
        REDIRECT,
        /** another filter answers (DirectResponse, a CORS preflight) */
        FILTER_RESPONSE,
        /** 500: the rule has no backendRef with a positive weight */
        NO_BACKENDS,
        /** 500: the backendRef is invalid */
        INVALID_BACKEND,
        /** 503: the cluster has no ready endpoints */
        NO_ENDPOINTS
    }

    /**
     * @param kind the kind of the likeliest answer (PROXIED whenever any share is proxied)
     * @param status the HTTP status the gateway itself answers, or 0 when a backend answers or nothing can
     * @param summary one line, e.g. "proxied to cluster default/shop:80", "404 no route: ...",
     *                "redirect 301 Location https://example.com/new"
     */
    public record Outcome(OutcomeKind kind, int status, String summary) { }
}
