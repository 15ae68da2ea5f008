package dev.gatehouse.translate;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.FilterSpec;
import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.translate.validate.GrpcRouteValidator;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCMethodMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteRule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One GRPCRoute's rules to the same {@link HttpRuleSpec}s an HTTPRoute gives, one per (rule, match): a gRPC call is
 * {@code POST /package.Service/Method} over HTTP/2, so a method match is a path match and the data plane routes,
 * filters and balances gRPC exactly as HTTP. Exact service and method give an Exact path ({@code /svc/Method}), a
 * service alone a PathPrefix ({@code /svc}, which matches whole path segments), a method alone or RegularExpression
 * a RE2 path regex. The rules keep their service and method for the spec's own precedence ({@link Precedence}).
 */
final class GrpcRouteTranslator {
    static final String GRPC_ROUTE = "GRPCRoute";
    /** A service or method left out matches any one path segment. */
    private static final String ANY_SEGMENT = "[^/]+";

    private final BackendResolver backends;
    private final FilterTranslator filters;

    GrpcRouteTranslator(BackendResolver backends, FilterTranslator filters) {
        this.backends = backends;
        this.filters = filters;
    }

    HttpRouteTranslator.Result translate(GRPCRoute route) {
        String ns = ResourceIndex.namespace(route);
        String name = route.getMetadata().getName();
        Instant created = ResourceIndex.created(route);
        RouteProblems problems = new RouteProblems();
        Map<String, ClusterSpec> clusters = new TreeMap<>();
        List<RouteRule> out = new ArrayList<>();
        List<GRPCRouteRule> rules = route.getSpec().getRules() == null ? List.of() : route.getSpec().getRules();
        for (int r = 0; r < rules.size(); r++) {
            GRPCRouteRule rule = rules.get(r);
            String field = "spec.rules[" + r + "]";
            // Filters and backends are the same for every match of the rule: translated once.
            List<FilterSpec> ruleFilters = filters.translate(GrpcRouteValidator.asHttpFilters(rule.getFilters()), null, ns, clusters, problems);
            List<BackendRefSpec> refs = backendRefs(rule.getBackendRefs(), ns, clusters, problems);
            // A rule without matches matches every gRPC request.
            List<GRPCRouteMatch> matches = rule.getMatches() == null || rule.getMatches().isEmpty()
                    ? Collections.singletonList(null) : rule.getMatches();
            for (int m = 0; m < matches.size(); m++) {
                GRPCRouteMatch match = matches.get(m);
                String matchField = field + ".matches[" + m + "]";
                GRPCMethodMatch method = match == null ? null : match.getMethod();
                RouteRule.GrpcMethod key = new RouteRule.GrpcMethod(
                        method == null || method.getService() == null ? "" : method.getService(),
                        method == null || method.getMethod() == null ? "" : method.getMethod());
                HttpMatchSpec spec = new HttpMatchSpec(path(method, key, matchField + ".method", problems),
                        headers(match == null ? null : match.getHeaders(), matchField, problems), List.of(), null);
                RouteRef ref = new RouteRef(GRPC_ROUTE, ns, name, r, rule.getName(), m);
                out.add(new RouteRule(new HttpRuleSpec(ref, spec, ruleFilters, refs, TimeoutSpec.NONE, null,
                        HttpRouteTranslator.sessionPersistence(rule.getSessionPersistence())), created, key));
            }
        }
        return new HttpRouteTranslator.Result(out, clusters, problems.resolvedRefs(), problems.rejection(), List.of());
    }

    private static HttpMatchSpec.PathMatchSpec path(GRPCMethodMatch method, RouteRule.GrpcMethod key, String field,
                                                    RouteProblems problems) {
        if (method == null) {
            return MatchTranslator.DEFAULT_PATH;
        }
        boolean regex = "RegularExpression".equals(method.getType());
        if (!regex && !key.service().isEmpty() && !key.method().isEmpty()) {
            return new HttpMatchSpec.PathMatchSpec(HttpMatchSpec.PathMatchType.EXACT,
                    "/" + key.service() + "/" + key.method());
        }
        if (!regex && key.method().isEmpty()) {
            return new HttpMatchSpec.PathMatchSpec(HttpMatchSpec.PathMatchType.PATH_PREFIX, "/" + key.service());
        }
        String service = key.service().isEmpty() ? ANY_SEGMENT : regex ? group(key.service(), field + ".service", problems)
                : Pattern.quote(key.service());
        String m = key.method().isEmpty() ? ANY_SEGMENT : regex ? group(key.method(), field + ".method", problems)
                : Pattern.quote(key.method());
        return new HttpMatchSpec.PathMatchSpec(HttpMatchSpec.PathMatchType.REGULAR_EXPRESSION, "/" + service + "/" + m);
    }

    /** The user's regex as one group of the path regex, after checking that RE2 takes it on its own. */
    private static String group(String regex, String field, RouteProblems problems) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            problems.unsupported(field + ": regular expression " + regex + " is not RE2 syntax (no backreferences, "
                    + "lookaround or possessive quantifiers): " + e.getMessage().replaceFirst("^error parsing regexp: ", ""));
        }
        return "(?:" + regex + ")";
    }

    /** Exact or RE2 header matches; of several with the same name only the first counts, as the spec says. */
    private static List<HttpMatchSpec.HeaderMatchSpec> headers(List<GRPCHeaderMatch> headers, String field,
                                                              RouteProblems problems) {
        List<HttpMatchSpec.HeaderMatchSpec> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; headers != null && i < headers.size(); i++) {
            GRPCHeaderMatch h = headers.get(i);
            String name = h.getName().toLowerCase(Locale.ROOT);
            if (!seen.add(name)) {
                continue;
            }
            boolean regex = "RegularExpression".equals(h.getType());
            if (regex) {
                group(h.getValue(), field + ".headers[" + i + "].value", problems);
            }
            out.add(new HttpMatchSpec.HeaderMatchSpec(regex ? HttpMatchSpec.ValueMatchType.REGULAR_EXPRESSION
                    : HttpMatchSpec.ValueMatchType.EXACT, name, h.getValue()));
        }
        return out;
    }

    private List<BackendRefSpec> backendRefs(List<GRPCBackendRef> refs, String ns, Map<String, ClusterSpec> clusters,
                                             RouteProblems problems) {
        List<BackendRefSpec> out = new ArrayList<>();
        for (GRPCBackendRef ref : refs == null ? List.<GRPCBackendRef>of() : refs) {
            BackendResolver.Resolution r = backends.resolve(GRPC_ROUTE, new BackendResolver.Target(ref.getGroup(),
                    ref.getKind(), ref.getName(), ref.getNamespace(), ref.getPort()), ns, clusters);
            if (r.failure() != null) {
                problems.unresolved(r.failure());
            }
            List<FilterSpec> backendFilters = filters.translate(GrpcRouteValidator.asHttpFilters(ref.getFilters()), null, ns, clusters, problems);
            out.add(new BackendRefSpec(r.cluster(), ref.getWeight() == null ? 1 : ref.getWeight(), backendFilters,
                    r.failure() == null ? null : r.failure().message()));
        }
        return out;
    }
}
