package dev.gatehouse.translate;

import dev.gatehouse.ir.ActiveHealthCheckSpec;
import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.BackendTimeoutSpec;
import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.CircuitBreakerSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.FilterSpec;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.L4RouteSpec;
import dev.gatehouse.ir.LoadBalancerSpec;
import dev.gatehouse.ir.PassiveHealthCheckSpec;
import dev.gatehouse.ir.RetrySpec;
import dev.gatehouse.translate.validate.DurationFormat;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code BackendTrafficPolicy} ({@code gatehouse.dev/v1alpha1}, Envoy Gateway v1.9's spec, read as a generic
 * resource) -> the {@link BackendTrafficSpec} of the clusters each route rule sends to.
 *
 * <p>Precedence is EG's: a policy on a route rule ({@code sectionName} = the rule's name) beats one on the route,
 * which beats one on a listener (or a ListenerSet's listener, then the ListenerSet), which beats one on the
 * Gateway; the most specific one applies whole. Two policies on one target: the oldest wins (then
 * namespace/name), the other is {@code Accepted=False, Conflicted} there. A displaced less specific policy stays
 * Accepted and gains {@code Overridden=True} naming what displaced it. Status ancestors are Gateways (or
 * ListenerSets): the target itself, or the parents of a targeted route.
 *
 * <p>An invalid policy (a field EG's schema refuses, or one gatehouse does not implement yet) is
 * {@code Accepted=False, Invalid} and applies nowhere: its targets fall back to the next valid policy up the
 * chain, or the defaults. The config still loads; a traffic policy tunes how requests reach backends, not whether
 * they may, so a mistake in it must not become an outage (EG answers 500 for an invalid SecurityPolicy).
 *
 * <p>A rule with a policy gets clusters of its own, {@code ns/svc:port@policy-ns/policy-name}. A route attached to
 * several listeners gets one policy per rule: of the listener-level and Gateway-level ones, the first parentRef's.
 */
final class BackendTrafficPolicyTranslator {
    static final String KIND = "BackendTrafficPolicy";
    static final String API_VERSION = "gatehouse.dev/v1alpha1";
    /** EG's retryOn when a policy's retry leaves it out. */
    private static final Set<String> DEFAULT_TRIGGERS = Set.of("connect-failure", "refused-stream", "unavailable",
            "cancelled", "retriable-status-codes");

    private final PolicyAttachments<BackendTrafficSpec> attachments;
    /** Each valid policy's rateLimit rules by "ns/name", before a route rule names their buckets. */
    private final Map<String, List<RateLimitTranslator.Template>> rateLimits = new HashMap<>();

    /**
     * @param listenersByGateway our Gateways' listeners by "ns/name"
     * @param listenersBySet the listeners of ListenerSets attached to our Gateways, by "ns/name"
     * @param diagnostics receives each invalid field and each target that is not ours, as warnings
     */
    BackendTrafficPolicyTranslator(ResourceIndex index, Map<String, List<ListenerState>> listenersByGateway,
                                   Map<String, List<ListenerState>> listenersBySet, String controllerName,
                                   List<Diagnostic> diagnostics) {
        attachments = new PolicyAttachments<>(KIND, "backendTrafficPolicies", BackendTrafficPolicyValidator.TARGET_KINDS,
                false, index, listenersByGateway, listenersBySet, controllerName);
        for (GenericKubernetesResource object : index.backendTrafficPolicies) {
            List<Diagnostic> problems = BackendTrafficPolicyValidator.validate(object, index.origin(object));
            diagnostics.addAll(problems);
            Map<?, ?> spec = object.getAdditionalProperties().get("spec") instanceof Map<?, ?> m ? m : Map.of();
            if (problems.isEmpty()) {
                rateLimits.put(ResourceIndex.qualifiedName(object), RateLimitTranslator.templates(
                        spec.get("rateLimit") instanceof Map<?, ?> r ? r : null, ResourceIndex.qualifiedName(object)));
            }
            attachments.add(object, problems.isEmpty() ? specOf(spec, ResourceIndex.qualifiedName(object)) : null,
                    problems.isEmpty() ? null : Conditions.policyInvalid(String.join("; ",
                            problems.stream().map(d -> d.field() + ": " + d.message()).toList())), diagnostics);
        }
        attachments.done();
    }

    static boolean isPolicy(Object o) {
        return o instanceof GenericKubernetesResource g && KIND.equals(g.getKind()) && API_VERSION.equals(g.getApiVersion());
    }


    /**
     * The route's rules with their policy: its backends' clusters become the policy's own, and the rule's
     * {@code retry} is the policy's unless the rule has its own.
     */
    HttpRouteTranslator.Result apply(String kind, HasMetadata route, List<ParentReference> parentRefs,
                                     HttpRouteTranslator.Result result) {
        if (attachments.isEmpty()) {
            return result; // most configs: no policy, nothing to copy for each of thousands of routes
        }
        Map<String, ClusterSpec> clusters = new TreeMap<>(result.clusters());
        Map<Integer, PolicyAttachments.Choice<BackendTrafficSpec>> byRule = new HashMap<>();
        List<RouteRule> rules = new ArrayList<>();
        for (RouteRule rule : result.rules()) {
            HttpRuleSpec s = rule.spec();
            PolicyAttachments.Choice<BackendTrafficSpec> c = byRule.computeIfAbsent(s.route().ruleIndex(),
                    r -> attachments.choose(kind, route, s.route().ruleName(), parentRefs));
            if (c == null) {
                rules.add(rule);
                continue;
            }
            PolicyAttachments.Policy<BackendTrafficSpec> p = c.policy();
            RetrySpec retry = s.retry() != null ? s.retry() : p.spec.retry();
            rules.add(new RouteRule(new HttpRuleSpec(s.route(), s.match(), s.filters(),
                    withPolicy(s.backends(), p, result.clusters(), clusters), s.timeouts(), retry,
                    s.sessionPersistence(), s.security(),
                    RateLimitTranslator.forRule(rateLimits.getOrDefault(p.self, List.of()), p.self, s.route()),
                    s.policies()).withPolicyChoice(c.why()),
                    rule.created(), rule.grpcMethod()));
        }
        dropUnused(clusters, result.clusters(), rules.stream().flatMap(r -> referenced(r.spec().backends(),
                r.spec().filters()).stream()).toList());
        return new HttpRouteTranslator.Result(rules, clusters, result.resolvedRefs(), result.rejection(),
                result.warnings());
    }

    /** An L4 route's rules with their policy: the cluster settings that apply to connections. */
    L4RouteTranslator.Result apply(L4Route route, L4RouteTranslator.Result result) {
        if (attachments.isEmpty()) {
            return result;
        }
        Map<String, ClusterSpec> clusters = new TreeMap<>(result.clusters());
        List<L4RouteSpec> rules = new ArrayList<>();
        for (L4RouteSpec rule : result.rules()) {
            PolicyAttachments.Policy<BackendTrafficSpec> p = attachments.effective(route.kind(), route.object(), rule.route().ruleName(), route.parentRefs());
            rules.add(p == null ? rule : new L4RouteSpec(rule.route(), rule.hostname(),
                    withPolicy(rule.backends(), p, result.clusters(), clusters)));
        }
        dropUnused(clusters, result.clusters(), rules.stream().flatMap(r -> referenced(r.backends(), List.of())
                .stream()).toList());
        return new L4RouteTranslator.Result(rules, clusters, result.resolvedRefs());
    }

    private static List<BackendRefSpec> withPolicy(List<BackendRefSpec> backends,
                                                   PolicyAttachments.Policy<BackendTrafficSpec> p,
                                                   Map<String, ClusterSpec> plain, Map<String, ClusterSpec> into) {
        List<BackendRefSpec> out = new ArrayList<>();
        for (BackendRefSpec b : backends) {
            ClusterSpec base = b.cluster() == null ? null : plain.get(b.cluster());
            if (base == null) {
                out.add(b);
                continue;
            }
            String name = b.cluster() + "@" + p.self;
            into.computeIfAbsent(name, n -> new ClusterSpec(n, base.endpoints(), base.loadBalancer(), base.protocol(),
                    base.tls(), p.spec));
            out.add(new BackendRefSpec(name, b.weight(), b.filters(), b.invalidReason()));
        }
        return out;
    }

    private static List<String> referenced(List<BackendRefSpec> backends, List<FilterSpec> filters) {
        List<String> out = new ArrayList<>();
        List<FilterSpec> all = new ArrayList<>(filters);
        for (BackendRefSpec b : backends) {
            out.add(b.cluster());
            all.addAll(b.filters());
        }
        for (FilterSpec f : all) {
            if (f instanceof FilterSpec.RequestMirrorSpec m) {
                out.add(m.cluster());
            }
        }
        return out;
    }

    /** Plain clusters no rule sends to any more (all their rules have a policy) are not served. */
    private static void dropUnused(Map<String, ClusterSpec> clusters, Map<String, ClusterSpec> plain,
                                   List<String> referenced) {
        Set<String> used = new HashSet<>(referenced);
        plain.keySet().stream().filter(n -> !used.contains(n)).forEach(clusters::remove);
    }

    /** The names of {@code clusters}, and of their per-policy copies among {@code all}. */
    static Set<String> withPolicyCopies(Set<String> clusters, Set<String> all) {
        Set<String> out = new HashSet<>(clusters);
        for (String name : all) {
            int at = name.indexOf('@');
            if (at > 0 && clusters.contains(name.substring(0, at))) {
                out.add(name);
            }
        }
        return out;
    }

    /** One status per policy, once every route has been applied (Overridden needs them all). */
    List<ResourceStatus> statuses() {
        return attachments.statuses();
    }


    // --- the spec, once validated

    static BackendTrafficSpec specOf(Map<?, ?> spec, String self) {
        Map<?, ?> hc = map(spec, "healthCheck");
        return new BackendTrafficSpec(self, loadBalancer(present(spec, "loadBalancer")), active(present(hc, "active")),
                passive(present(hc, "passive")), hc.get("panicThreshold") instanceof Number n ? n.intValue() : null,
                timeout(present(spec, "timeout")), circuitBreaker(present(spec, "circuitBreaker")),
                retry(present(spec, "retry"), self));
    }

    private static LoadBalancerSpec loadBalancer(Map<?, ?> lb) {
        if (lb == null) {
            return null;
        }
        LoadBalancerSpec.Type type = switch (String.valueOf(lb.get("type"))) {
            case "Random" -> LoadBalancerSpec.Type.RANDOM;
            case "LeastRequest" -> LoadBalancerSpec.Type.LEAST_REQUEST;
            case "ConsistentHash" -> LoadBalancerSpec.Type.CONSISTENT_HASH;
            default -> LoadBalancerSpec.Type.ROUND_ROBIN;
        };
        Map<?, ?> hash = map(lb, "consistentHash");
        LoadBalancerSpec.ConsistentHashSpec consistentHash = null;
        if (type == LoadBalancerSpec.Type.CONSISTENT_HASH) {
            String hashType = String.valueOf(hash.get("type"));
            List<String> names = new ArrayList<>();
            if (map(hash, "header").get("name") instanceof String n) {
                names.add(n); // EG's deprecated single header: the same as headers with one name
            }
            for (String key : List.of("headers", "queryParams")) {
                if (hash.get(key) instanceof List<?> list) {
                    list.forEach(o -> names.add(String.valueOf(((Map<?, ?>) o).get("name"))));
                }
            }
            Map<?, ?> cookie = map(hash, "cookie");
            Map<String, String> attributes = new TreeMap<>();
            map(cookie, "attributes").forEach((k, v) -> attributes.put(String.valueOf(k), String.valueOf(v)));
            consistentHash = new LoadBalancerSpec.ConsistentHashSpec(switch (hashType) {
                case "SourceIP" -> LoadBalancerSpec.ConsistentHashSpec.Source.SOURCE_IP;
                case "Cookie" -> LoadBalancerSpec.ConsistentHashSpec.Source.COOKIE;
                case "QueryParams" -> LoadBalancerSpec.ConsistentHashSpec.Source.QUERY_PARAMS;
                default -> LoadBalancerSpec.ConsistentHashSpec.Source.HEADERS;
            }, names, cookie.isEmpty() ? null : new LoadBalancerSpec.CookieSpec(String.valueOf(cookie.get("name")),
                    duration(cookie, "ttl", null), attributes),
                    hash.get("tableSize") instanceof Number n ? n.longValue()
                            : LoadBalancerSpec.ConsistentHashSpec.DEFAULT_TABLE_SIZE);
        }
        return new LoadBalancerSpec(type, consistentHash, duration(map(lb, "slowStart"), "window", null));
    }

    private static ActiveHealthCheckSpec active(Map<?, ?> a) {
        if (a == null) {
            return null;
        }
        ActiveHealthCheckSpec.Type type = ActiveHealthCheckSpec.Type.valueOf(String.valueOf(a.get("type")));
        Map<?, ?> http = map(a, "http");
        ActiveHealthCheckSpec.HttpCheck check = null;
        if (type == ActiveHealthCheckSpec.Type.HTTP) {
            List<Integer> statuses = new ArrayList<>();
            if (http.get("expectedStatuses") instanceof List<?> l) {
                l.forEach(o -> statuses.add(((Number) o).intValue()));
            }
            Map<?, ?> expected = map(http, "expectedResponse");
            check = new ActiveHealthCheckSpec.HttpCheck(String.valueOf(http.get("path")),
                    http.get("method") instanceof String m ? m : "GET",
                    http.get("hostname") instanceof String h ? h : null,
                    statuses.isEmpty() ? List.of(200) : statuses,
                    expected.get("text") instanceof String t ? t : null,
                    expected.get("binary") instanceof String b ? BackendTrafficPolicyValidator.decode(b) : null);
        }
        String service = null;
        if (type == ActiveHealthCheckSpec.Type.GRPC) {
            service = map(a, "grpc").get("service") instanceof String s ? s : "";
        }
        return new ActiveHealthCheckSpec(type, duration(a, "timeout", Duration.ofSeconds(1)),
                duration(a, "interval", Duration.ofSeconds(3)), duration(a, "initialJitter", null),
                integer(a, "unhealthyThreshold", 3), integer(a, "healthyThreshold", 1), check, service,
                map(a, "overrides").get("port") instanceof Number n ? n.intValue() : null);
    }

    private static PassiveHealthCheckSpec passive(Map<?, ?> p) {
        if (p == null) {
            return null;
        }
        return new PassiveHealthCheckSpec(integer(p, "consecutive5XxErrors", 5),
                p.get("consecutiveGatewayErrors") instanceof Number n ? n.intValue() : null,
                integer(p, "consecutiveLocalOriginFailures", 5),
                Boolean.TRUE.equals(p.get("splitExternalLocalOriginErrors")),
                duration(p, "interval", Duration.ofSeconds(3)), duration(p, "baseEjectionTime", Duration.ofSeconds(30)),
                integer(p, "maxEjectionPercent", 10));
    }

    private static RetrySpec retry(Map<?, ?> r, String self) {
        if (r == null) {
            return null;
        }
        Map<?, ?> on = present(r, "retryOn");
        Set<String> triggers = new TreeSet<>();
        List<Integer> codes = new ArrayList<>();
        if (on == null) {
            triggers.addAll(DEFAULT_TRIGGERS);
            codes.add(503);
        } else {
            if (on.get("triggers") instanceof List<?> l) {
                l.forEach(t -> triggers.add(String.valueOf(t)));
            }
            if (on.get("httpStatusCodes") instanceof List<?> l) {
                l.forEach(c -> codes.add(((Number) c).intValue()));
            }
        }
        Map<?, ?> per = map(r, "perRetry");
        Map<?, ?> backOff = map(per, "backOff");
        return new RetrySpec(integer(r, "numRetries", 2), triggers, codes, duration(per, "timeout", null),
                duration(backOff, "baseInterval", null), duration(backOff, "maxInterval", null), KIND + " " + self);
    }

    private static CircuitBreakerSpec circuitBreaker(Map<?, ?> c) {
        if (c == null) {
            return null;
        }
        Map<?, ?> budget = map(c, "retryBudget");
        Map<?, ?> percent = map(budget, "percent");
        Double fraction = percent.get("numerator") instanceof Number n
                ? n.doubleValue() / (percent.get("denominator") instanceof Number d ? d.doubleValue() : 100) : null;
        return new CircuitBreakerSpec(along(c, "maxConnections"), along(c, "maxPendingRequests"),
                along(c, "maxParallelRequests"), along(c, "maxParallelRetries"), along(c, "maxRequestsPerConnection"),
                along(map(c, "perEndpoint"), "maxConnections"), fraction,
                budget.isEmpty() ? null : integer(budget, "minRetryConcurrency", 3));
    }

    private static BackendTimeoutSpec timeout(Map<?, ?> t) {
        if (t == null) {
            return null;
        }
        Map<?, ?> http = map(t, "http");
        return new BackendTimeoutSpec(duration(map(t, "tcp"), "connectTimeout", null),
                duration(http, "requestTimeout", null), duration(http, "connectionIdleTimeout", null),
                duration(http, "maxConnectionDuration", null));
    }

    /** The mapping under {@code key}, or null when absent: {@code passive: {}} asks for EG's defaults. */
    private static Map<?, ?> present(Map<?, ?> parent, String key) {
        return parent.get(key) instanceof Map<?, ?> m ? m : null;
    }

    private static Map<?, ?> map(Map<?, ?> parent, String key) {
        return parent.get(key) instanceof Map<?, ?> m ? m : Map.of();
    }

    private static Duration duration(Map<?, ?> m, String key, Duration fallback) {
        Duration d = m.get(key) instanceof String s ? DurationFormat.parse(s) : null;
        return d == null ? fallback : d;
    }

    private static int integer(Map<?, ?> m, String key, int fallback) {
        return m.get(key) instanceof Number n ? n.intValue() : fallback;
    }

    private static Long along(Map<?, ?> m, String key) {
        return m.get(key) instanceof Number n ? n.longValue() : null;
    }
}
