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
    private static final String ROUTE_RULE = "RouteRule";

    /** What a policy targets: "Kind ns/name" and a listener or rule name. */
    private record Target(String kind, String key, String section) {
        @Override
        public String toString() {
            return kind + " " + key + (section == null ? "" : "/" + section);
        }
    }

    /** A route a policy may target: its parents and its rules' names. */
    private record Route(String kind, HasMetadata object, List<ParentReference> parentRefs, Set<String> ruleNames) { }

    /** A policy being translated, and what its status will say. */
    private static final class Policy {
        final GenericKubernetesResource object;
        final String self;
        final BackendTrafficSpec spec;
        final List<RateLimitTranslator.Template> rateLimits;
        final Map<String, List<Condition>> ancestors = new LinkedHashMap<>();
        final Set<String> overriddenListeners = new TreeSet<>();
        final Set<String> overriddenRoutes = new TreeSet<>();
        final Set<String> overriddenRules = new TreeSet<>();

        Policy(GenericKubernetesResource object, BackendTrafficSpec spec) {
            this.object = object;
            this.self = ResourceIndex.qualifiedName(object);
            this.spec = spec;
            this.rateLimits = spec == null ? List.of() : RateLimitTranslator.templates(
                    object.getAdditionalProperties().get("spec") instanceof Map<?, ?> m
                            && m.get("rateLimit") instanceof Map<?, ?> r ? r : null, self);
        }

        /** A worse verdict replaces a better one: one target's conflict shows though another is accepted. */
        void report(String ancestor, Condition accepted) {
            List<Condition> now = ancestors.get(ancestor);
            if (now == null || Conditions.TRUE.equals(now.get(0).status())) {
                ancestors.put(ancestor, new ArrayList<>(List.of(accepted)));
            }
        }
    }

    private final Map<String, List<ListenerState>> listenersByGateway;
    private final Map<String, List<ListenerState>> listenersBySet;
    private final String controllerName;
    private final Map<String, Route> routes = new HashMap<>();
    private final List<Policy> policies = new ArrayList<>();
    private final Map<Target, Policy> winners = new HashMap<>();

    /**
     * @param listenersByGateway our Gateways' listeners by "ns/name"
     * @param listenersBySet the listeners of ListenerSets attached to our Gateways, by "ns/name"
     * @param diagnostics receives each invalid field and each target that is not ours, as warnings
     */
    BackendTrafficPolicyTranslator(ResourceIndex index, Map<String, List<ListenerState>> listenersByGateway,
                                   Map<String, List<ListenerState>> listenersBySet, String controllerName,
                                   List<Diagnostic> diagnostics) {
        this.listenersByGateway = listenersByGateway;
        this.listenersBySet = listenersBySet;
        this.controllerName = controllerName;
        for (HTTPRoute r : index.httpRoutes) {
            Set<String> names = new HashSet<>();
            r.getSpec().getRules().forEach(rule -> names.add(rule.getName()));
            routes.put(GatewayTranslator.HTTP_ROUTE + " " + ResourceIndex.qualifiedName(r),
                    new Route(GatewayTranslator.HTTP_ROUTE, r, r.getSpec().getParentRefs(), names));
        }
        for (GRPCRoute r : index.grpcRoutes) {
            Set<String> names = new HashSet<>();
            if (r.getSpec().getRules() != null) {
                r.getSpec().getRules().forEach(rule -> names.add(rule.getName()));
            }
            routes.put(GrpcRouteTranslator.GRPC_ROUTE + " " + ResourceIndex.qualifiedName(r),
                    new Route(GrpcRouteTranslator.GRPC_ROUTE, r, r.getSpec().getParentRefs(), names));
        }
        for (L4Route r : index.l4Routes) {
            Set<String> names = new HashSet<>();
            r.rules().forEach(rule -> names.add(rule.name()));
            routes.put(r.kind() + " " + ResourceIndex.qualifiedName(r.object()),
                    new Route(r.kind(), r.object(), r.parentRefs(), names));
        }
        for (GenericKubernetesResource object : index.backendTrafficPolicies) {
            ResourceSet.Entry origin = index.origin(object);
            List<Diagnostic> problems = BackendTrafficPolicyValidator.validate(object, origin);
            diagnostics.addAll(problems);
            Map<?, ?> spec = object.getAdditionalProperties().get("spec") instanceof Map<?, ?> m ? m : Map.of();
            Policy p = new Policy(object, problems.isEmpty() ? specOf(spec, ResourceIndex.qualifiedName(object)) : null);
            policies.add(p);
            Condition invalid = problems.isEmpty() ? null : Conditions.policyInvalid(String.join("; ",
                    problems.stream().map(d -> d.field() + ": " + d.message()).toList()));
            List<Target> targets = problems.isEmpty() ? targets(spec, object, index) : rawTargets(spec, object);
            for (Target t : targets) {
                attach(p, t, invalid, origin, diagnostics);
            }
        }
        overriddenByListeners();
    }

    static boolean isPolicy(Object o) {
        return o instanceof GenericKubernetesResource g && KIND.equals(g.getKind()) && API_VERSION.equals(g.getApiVersion());
    }

    private void attach(Policy p, Target t, Condition invalid, ResourceSet.Entry origin, List<Diagnostic> diagnostics) {
        List<String> ancestors = new ArrayList<>();
        String missing = resolve(t, ancestors);
        if (ancestors.isEmpty()) {
            // EG writes no ancestor for a target no Gateway of its own serves; in files, say so
            diagnostics.add(PolicyFields.diagnostic(Diagnostic.Severity.WARNING, KIND, p.object, origin,
                    "spec.targetRefs", "no " + t + " attached to a Gateway of this controller: ignored"));
            return;
        }
        Condition verdict;
        if (invalid != null) {
            verdict = invalid;
        } else if (missing != null) {
            verdict = Conditions.policyTargetNotFound(missing);
        } else {
            Policy winner = winners.putIfAbsent(t, p);
            verdict = winner == null || winner == p ? policyAccepted()
                    : Conditions.policyConflicted("Unable to target " + describe(t) + ", another " + KIND
                    + " has already attached to it");
        }
        ancestors.forEach(a -> p.report(a, verdict));
    }

    /** EG's words for a target in a Conflicted message. */
    private static String describe(Target t) {
        if (t.section() == null) {
            return t.kind() + " " + t.key();
        }
        boolean listener = t.kind().equals("Gateway") || t.kind().equals(ListenerState.LISTENER_SET);
        return (listener ? "Listener " : ROUTE_RULE + " ") + t.key() + "/" + t.section();
    }

    /**
     * Fills {@code ancestors} with the Gateway or ListenerSet refs the target's status goes under (none: not ours).
     *
     * @return why the target's section was not found, or null
     */
    private String resolve(Target t, List<String> ancestors) {
        String[] nsName = t.key().split("/", 2);
        if (t.kind().equals("Gateway") || t.kind().equals(ListenerState.LISTENER_SET)) {
            List<ListenerState> listeners = (t.kind().equals("Gateway") ? listenersByGateway : listenersBySet).get(t.key());
            if (listeners == null) {
                return null;
            }
            ancestors.add(ResourceStatus.ParentStatus.parentRef(t.kind(), nsName[0], nsName[1], t.section(), null));
            return t.section() == null || listeners.stream().anyMatch(l -> l.name().equals(t.section())) ? null
                    : "No section name " + t.section() + " found for " + t.kind() + " " + t.key();
        }
        Route route = routes.get(t.kind() + " " + t.key());
        if (route == null) {
            return null;
        }
        for (ParentReference ref : route.parentRefs()) {
            String refKind = ref.getKind() == null ? "Gateway" : ref.getKind();
            String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? nsName[0] : ref.getNamespace();
            Map<String, List<ListenerState>> parents = refKind.equals("Gateway") ? listenersByGateway
                    : refKind.equals(ListenerState.LISTENER_SET) ? listenersBySet : Map.of();
            String ancestor = RouteAttacher.describe(refKind, ref, ns);
            if ((ref.getGroup() == null || ref.getGroup().equals(PolicyFields.GATEWAY_GROUP))
                    && parents.containsKey(ns + "/" + ref.getName()) && !ancestors.contains(ancestor)) {
                ancestors.add(ancestor);
            }
        }
        return t.section() == null || route.ruleNames().contains(t.section()) ? null
                : "No section name " + t.section() + " found for " + t.kind() + " " + t.key();
    }

    /** targetRef, targetRefs and what targetSelectors select, in the policy's namespace. */
    private static List<Target> targets(Map<?, ?> spec, GenericKubernetesResource policy, ResourceIndex index) {
        List<Target> out = rawTargets(spec, policy);
        String ns = ResourceIndex.namespace(policy);
        if (spec.get("targetSelectors") instanceof List<?> selectors) {
            for (Object o : selectors) {
                Map<?, ?> s = (Map<?, ?>) o;
                String kind = String.valueOf(s.get("kind"));
                LabelSelector selector = labelSelector(s);
                for (HasMetadata candidate : candidates(kind, index)) {
                    Map<String, String> labels = candidate.getMetadata().getLabels();
                    if (ResourceIndex.namespace(candidate).equals(ns)
                            && NamespaceSelector.matches(selector, labels == null ? Map.of() : labels)) {
                        Target t = new Target(kind, ResourceIndex.qualifiedName(candidate), null);
                        if (!out.contains(t)) {
                            out.add(t);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static List<Target> rawTargets(Map<?, ?> spec, GenericKubernetesResource policy) {
        List<Object> refs = new ArrayList<>();
        if (spec.get("targetRef") != null) {
            refs.add(spec.get("targetRef"));
        }
        if (spec.get("targetRefs") instanceof List<?> l) {
            refs.addAll(l);
        }
        List<Target> out = new ArrayList<>();
        for (Object o : refs) {
            if (o instanceof Map<?, ?> ref && ref.get("kind") instanceof String kind && ref.get("name") instanceof String n
                    && BackendTrafficPolicyValidator.TARGET_KINDS.contains(kind)) {
                Target t = new Target(kind, ResourceIndex.namespace(policy) + "/" + n,
                        ref.get("sectionName") instanceof String s ? s : null);
                if (!out.contains(t)) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    private static List<? extends HasMetadata> candidates(String kind, ResourceIndex index) {
        return switch (kind) {
            case "Gateway" -> index.gateways;
            case ListenerState.LISTENER_SET -> index.listenerSets;
            case GatewayTranslator.HTTP_ROUTE -> index.httpRoutes;
            case GrpcRouteTranslator.GRPC_ROUTE -> index.grpcRoutes;
            default -> index.l4Routes.stream().filter(r -> r.kind().equals(kind)).map(L4Route::object).toList();
        };
    }

    private static LabelSelector labelSelector(Map<?, ?> s) {
        Map<String, String> labels = new TreeMap<>();
        if (s.get("matchLabels") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
        }
        List<LabelSelectorRequirement> expressions = new ArrayList<>();
        if (s.get("matchExpressions") instanceof List<?> list) {
            for (Object o : list) {
                Map<?, ?> e = (Map<?, ?>) o;
                List<String> values = e.get("values") instanceof List<?> v ? v.stream().map(String::valueOf).toList()
                        : List.of();
                expressions.add(new LabelSelectorRequirement(String.valueOf(e.get("key")),
                        String.valueOf(e.get("operator")), values));
            }
        }
        return new LabelSelector(expressions, labels);
    }

    /** A Gateway's (or ListenerSet's) policy is displaced on each of its listeners that has a policy of its own. */
    private void overriddenByListeners() {
        winners.forEach((t, p) -> {
            if (t.section() != null && (t.kind().equals("Gateway") || t.kind().equals(ListenerState.LISTENER_SET))) {
                Policy whole = winners.get(new Target(t.kind(), t.key(), null));
                if (whole != null && whole != p) {
                    whole.overriddenListeners.add(t.key() + "/" + t.section());
                }
            }
        });
    }

    /**
     * The policy that applies to a rule of a route, most specific first; the less specific ones it displaces are
     * told so (for their Overridden condition).
     */
    private Policy effective(String kind, HasMetadata route, String ruleName, List<ParentReference> parentRefs) {
        String key = ResourceIndex.qualifiedName(route);
        List<Policy> chain = new ArrayList<>();
        List<String> levels = new ArrayList<>();
        add(chain, levels, ruleName == null ? null : winners.get(new Target(kind, key, ruleName)), "rule " + key + "/" + ruleName);
        add(chain, levels, winners.get(new Target(kind, key, null)), "route " + key);
        List<Policy> gatewayLevel = new ArrayList<>();
        for (ListenerState l : parentListeners(kind, route, parentRefs)) {
            if (l.fromListenerSet()) {
                String set = ResourceIndex.qualifiedName(l.owner);
                add(chain, levels, winners.get(new Target(ListenerState.LISTENER_SET, set, l.name())),
                        "listener " + set + "/" + l.name());
                add(chain, levels, winners.get(new Target(ListenerState.LISTENER_SET, set, null)), "listener " + set);
            } else {
                add(chain, levels, winners.get(new Target("Gateway", l.gatewayKey, l.name())),
                        "listener " + l.gatewayKey + "/" + l.name());
            }
            Policy g = winners.get(new Target("Gateway", l.gatewayKey, null));
            if (g != null) {
                gatewayLevel.add(g);
            }
        }
        gatewayLevel.forEach(g -> add(chain, levels, g, "gateway"));
        if (chain.isEmpty()) {
            return null;
        }
        Policy winner = chain.get(0);
        String[] level = levels.get(0).split(" ", 2);
        for (Policy displaced : chain.subList(1, chain.size())) {
            if (displaced != winner) {
                switch (level[0]) {
                    case "rule" -> displaced.overriddenRules.add(level[1]);
                    case "route" -> displaced.overriddenRoutes.add(level[1]);
                    default -> displaced.overriddenListeners.add(level[1]);
                }
            }
        }
        return winner;
    }

    private static void add(List<Policy> chain, List<String> levels, Policy p, String level) {
        if (p != null) {
            chain.add(p);
            levels.add(level);
        }
    }

    /** The listeners a route's parentRefs select that take its kind, in parentRef order (as RouteAttacher picks). */
    private List<ListenerState> parentListeners(String kind, HasMetadata route, List<ParentReference> parentRefs) {
        List<ListenerState> out = new ArrayList<>();
        String routeNs = ResourceIndex.namespace(route);
        for (ParentReference ref : parentRefs == null ? List.<ParentReference>of() : parentRefs) {
            String refKind = ref.getKind() == null ? "Gateway" : ref.getKind();
            String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? routeNs : ref.getNamespace();
            List<ListenerState> listeners = refKind.equals("Gateway") ? listenersByGateway.get(ns + "/" + ref.getName())
                    : refKind.equals(ListenerState.LISTENER_SET) ? listenersBySet.get(ns + "/" + ref.getName()) : null;
            for (ListenerState l : listeners == null ? List.<ListenerState>of() : listeners) {
                if ((ref.getSectionName() == null || ref.getSectionName().equals(l.name()))
                        && (ref.getPort() == null || ref.getPort() == l.port())
                        && l.acceptsRoutes() && l.supportedKinds.contains(kind) && !out.contains(l)) {
                    out.add(l);
                }
            }
        }
        return out;
    }

    /**
     * The route's rules with their policy: its backends' clusters become the policy's own, and the rule's
     * {@code retry} is the policy's unless the rule has its own.
     */
    HttpRouteTranslator.Result apply(String kind, HasMetadata route, List<ParentReference> parentRefs,
                                     HttpRouteTranslator.Result result) {
        Map<String, ClusterSpec> clusters = new TreeMap<>(result.clusters());
        Map<Integer, Policy> byRule = new HashMap<>();
        List<RouteRule> rules = new ArrayList<>();
        for (RouteRule rule : result.rules()) {
            HttpRuleSpec s = rule.spec();
            Policy p = byRule.computeIfAbsent(s.route().ruleIndex(),
                    r -> effective(kind, route, s.route().ruleName(), parentRefs));
            if (p == null) {
                rules.add(rule);
                continue;
            }
            RetrySpec retry = s.retry() != null ? s.retry() : p.spec.retry();
            rules.add(new RouteRule(new HttpRuleSpec(s.route(), s.match(), s.filters(),
                    withPolicy(s.backends(), p, result.clusters(), clusters), s.timeouts(), retry,
                    s.sessionPersistence(), RateLimitTranslator.forRule(p.rateLimits, p.self, s.route())),
                    rule.created(), rule.grpcMethod()));
        }
        dropUnused(clusters, result.clusters(), rules.stream().flatMap(r -> referenced(r.spec().backends(),
                r.spec().filters()).stream()).toList());
        return new HttpRouteTranslator.Result(rules, clusters, result.resolvedRefs(), result.rejection(),
                result.warnings());
    }

    /** An L4 route's rules with their policy: the cluster settings that apply to connections. */
    L4RouteTranslator.Result apply(L4Route route, L4RouteTranslator.Result result) {
        Map<String, ClusterSpec> clusters = new TreeMap<>(result.clusters());
        List<L4RouteSpec> rules = new ArrayList<>();
        for (L4RouteSpec rule : result.rules()) {
            Policy p = effective(route.kind(), route.object(), rule.route().ruleName(), route.parentRefs());
            rules.add(p == null ? rule : new L4RouteSpec(rule.route(), rule.hostname(),
                    withPolicy(rule.backends(), p, result.clusters(), clusters)));
        }
        dropUnused(clusters, result.clusters(), rules.stream().flatMap(r -> referenced(r.backends(), List.of())
                .stream()).toList());
        return new L4RouteTranslator.Result(rules, clusters, result.resolvedRefs());
    }

    private static List<BackendRefSpec> withPolicy(List<BackendRefSpec> backends, Policy p,
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
        List<ResourceStatus> out = new ArrayList<>();
        for (Policy p : policies) {
            String overridden = overriddenMessage(p);
            boolean deprecated = p.object.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
                    && spec.get("targetRef") != null;
            List<ResourceStatus.ParentStatus> ancestors = new ArrayList<>();
            p.ancestors.forEach((ref, conditions) -> {
                List<Condition> all = new ArrayList<>(conditions);
                if (overridden != null && Conditions.TRUE.equals(conditions.get(0).status())) {
                    all.add(new Condition("Overridden", Conditions.TRUE, "Overridden", overridden));
                }
                if (deprecated) {
                    all.add(new Condition("Warning", Conditions.TRUE, "DeprecatedField",
                            "spec.targetRef is deprecated, use spec.targetRefs instead"));
                }
                ancestors.add(new ResourceStatus.ParentStatus(ref, controllerName, all));
            });
            out.add(new ResourceStatus(KIND, ResourceIndex.namespace(p.object), p.object.getMetadata().getName(),
                    List.of(), List.of(), ancestors));
        }
        return out;
    }

    private static String overriddenMessage(Policy p) {
        List<String> parts = new ArrayList<>();
        if (!p.overriddenListeners.isEmpty()) {
            parts.add("these gateway listeners: " + p.overriddenListeners);
        }
        if (!p.overriddenRoutes.isEmpty()) {
            parts.add("these routes: " + p.overriddenRoutes);
        }
        if (!p.overriddenRules.isEmpty()) {
            parts.add("these route rules: " + p.overriddenRules);
        }
        return parts.isEmpty() ? null
                : "This policy is being overridden by other backendTrafficPolicies for " + String.join(" and ", parts);
    }

    private static Condition policyAccepted() {
        return new Condition("Accepted", Conditions.TRUE, "Accepted", "Policy has been accepted.");
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
