package dev.gatehouse.translate;

import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.FilterSpec;
import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.RetrySpec;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.SessionPersistenceSpec;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.translate.validate.DurationFormat;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRetry;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteTimeouts;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SessionPersistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One HTTPRoute's rules to {@link HttpRuleSpec}s, one per (rule, match), independent of the listeners it
 * attaches to. Broken references degrade single backends; unsupported values reject the route.
 */
final class HttpRouteTranslator {
    /**
     * @param rules every rule/match of the route
     * @param clusters the clusters those rules reference, by name
     * @param resolvedRefs the route's ResolvedRefs condition
     * @param rejection Accepted=False condition when the route must not be served, else {@code null}
     * @param warnings fields we ignore for now (none on an HTTPRoute since retry and sessionPersistence are served)
     */
    record Result(List<RouteRule> rules, Map<String, ClusterSpec> clusters, Condition resolvedRefs,
                  Condition rejection, List<Diagnostic> warnings) { }

    private final BackendResolver backends;
    private final FilterTranslator filters;

    HttpRouteTranslator(BackendResolver backends, FilterTranslator filters) {
        this.backends = backends;
        this.filters = filters;
    }

    Result translate(HTTPRoute route, ResourceSet.Entry origin) {
        String ns = ResourceIndex.namespace(route);
        String name = route.getMetadata().getName();
        Instant created = ResourceIndex.created(route);
        RouteProblems problems = new RouteProblems();
        Map<String, ClusterSpec> clusters = new TreeMap<>();
        List<RouteRule> out = new ArrayList<>();
        List<Diagnostic> warnings = new ArrayList<>();
        List<HTTPRouteRule> rules = route.getSpec().getRules() == null ? List.of() : route.getSpec().getRules();
        for (int r = 0; r < rules.size(); r++) {
            HTTPRouteRule rule = rules.get(r);
            String field = "spec.rules[" + r + "]";
            TimeoutSpec timeouts = timeouts(rule.getTimeouts());
            RetrySpec retry = retry(rule.getRetry());
            SessionPersistenceSpec session = sessionPersistence(rule.getSessionPersistence());
            // A rule without matches matches everything: one PathPrefix "/" match.
            List<HTTPRouteMatch> matches = rule.getMatches() == null || rule.getMatches().isEmpty()
                    ? Collections.singletonList(null) : rule.getMatches();
            for (int m = 0; m < matches.size(); m++) {
                HttpMatchSpec match = MatchTranslator.translate(matches.get(m), field + ".matches[" + m + "]", problems);
                String matchedPrefix = match.path().type() == HttpMatchSpec.PathMatchType.PATH_PREFIX
                        ? match.path().value() : null;
                // Filters and backends are translated per match because ReplacePrefixMatch needs the match's
                // prefix; the conditions they raise are the same for every match, so only the first reports.
                RouteProblems sink = m == 0 ? problems : new RouteProblems();
                List<FilterSpec> ruleFilters = filters.translate(rule.getFilters(), matchedPrefix, ns, clusters, sink);
                List<BackendRefSpec> refs = backendRefs(rule.getBackendRefs(), matchedPrefix, ns, clusters, sink);
                RouteRef ref = new RouteRef(GatewayTranslator.HTTP_ROUTE, ns, name, r, rule.getName(), m);
                out.add(new RouteRule(new HttpRuleSpec(ref, match, ruleFilters, refs, timeouts, retry, session),
                        created));
            }
        }
        return new Result(out, clusters, problems.resolvedRefs(), problems.rejection(), warnings);
    }

    private List<BackendRefSpec> backendRefs(List<HTTPBackendRef> refs, String matchedPrefix, String ns,
                                             Map<String, ClusterSpec> clusters, RouteProblems problems) {
        List<BackendRefSpec> out = new ArrayList<>();
        if (refs == null) {
            return out;
        }
        for (HTTPBackendRef ref : refs) {
            BackendResolver.Resolution r = backends.resolve(new BackendResolver.Target(ref.getGroup(), ref.getKind(),
                    ref.getName(), ref.getNamespace(), ref.getPort()), ns, clusters);
            if (r.failure() != null) {
                problems.unresolved(r.failure());
            }
            List<FilterSpec> backendFilters = filters.translate(ref.getFilters(), matchedPrefix, ns, clusters, problems);
            int weight = ref.getWeight() == null ? 1 : ref.getWeight();
            out.add(new BackendRefSpec(r.cluster(), weight, backendFilters,
                    r.invalidReason()));
        }
        return out;
    }

    private static TimeoutSpec timeouts(HTTPRouteTimeouts t) {
        if (t == null) {
            return TimeoutSpec.NONE;
        }
        return new TimeoutSpec(DurationFormat.parse(t.getRequest()), DurationFormat.parse(t.getBackendRequest()));
    }

    /**
     * The rule's {@code retry}: {@code attempts} retries (EG's 2 when left out) on its {@code codes}, on connection
     * failures and resets (the conformance suite's HTTPRouteRetryConnectionError), {@code backoff} apart.
     */
    static RetrySpec retry(HTTPRouteRetry r) {
        if (r == null) {
            return null;
        }
        List<Integer> codes = r.getCodes() == null ? List.of() : r.getCodes();
        Set<String> triggers = new TreeSet<>(List.of("connect-failure", "reset"));
        if (!codes.isEmpty()) {
            triggers.add("retriable-status-codes");
        }
        return new RetrySpec(r.getAttempts() == null ? 2 : r.getAttempts(), triggers, codes, null,
                DurationFormat.parse(r.getBackoff()), null, GatewayTranslator.HTTP_ROUTE);
    }

    /** The rule's {@code sessionPersistence} (Cookie unless it says Header). */
    static SessionPersistenceSpec sessionPersistence(SessionPersistence s) {
        if (s == null) {
            return null;
        }
        boolean header = "Header".equals(s.getType());
        return new SessionPersistenceSpec(header ? SessionPersistenceSpec.Type.HEADER : SessionPersistenceSpec.Type.COOKIE,
                s.getSessionName(), DurationFormat.parse(s.getAbsoluteTimeout()), null,
                !header && s.getCookieConfig() != null && "Permanent".equals(s.getCookieConfig().getLifetimeType()));
    }
}
