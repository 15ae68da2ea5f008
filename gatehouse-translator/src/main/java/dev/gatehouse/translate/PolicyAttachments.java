package dev.gatehouse.translate;

import dev.gatehouse.ir.PolicyChoice;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;

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
 * Envoy Gateway's policy attachment, shared by our policy kinds (BackendTrafficPolicy, SecurityPolicy): targets
 * (targetRef, targetRefs with a listener or rule {@code sectionName}, targetSelectors in the policy's namespace),
 * the conflicts of two policies on one target (the oldest wins, then namespace/name: the order policies are
 * added in), precedence (rule > route > listener, or a ListenerSet's listener then the ListenerSet > Gateway; the
 * most specific applies whole) and the PolicyStatus each policy reports per Gateway (or ListenerSet) ancestor:
 * Accepted, Conflicted, Invalid, TargetNotFound, Overridden and the deprecated targetRef's Warning.
 *
 * @param <S> what a policy becomes once translated
 */
final class PolicyAttachments<S> {
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
    static final class Policy<S> {
        final GenericKubernetesResource object;
        final String self;
        final S spec;
        final Map<String, List<Condition>> ancestors = new LinkedHashMap<>();
        final Set<String> overriddenListeners = new TreeSet<>();
        final Set<String> overriddenRoutes = new TreeSet<>();
        final Set<String> overriddenRules = new TreeSet<>();

        Policy(GenericKubernetesResource object, S spec) {
            this.object = object;
            this.self = ResourceIndex.qualifiedName(object);
            this.spec = spec;
        }

        /** A worse verdict replaces a better one: one target's conflict shows though another is accepted. */
        void report(String ancestor, Condition accepted) {
            List<Condition> now = ancestors.get(ancestor);
            if (now == null || Conditions.TRUE.equals(now.get(0).status())) {
                ancestors.put(ancestor, new ArrayList<>(List.of(accepted)));
            }
        }
    }

    private final String kind;
    private final String plural;
    private final Set<String> targetKinds;
    private final boolean invalidApplies;
    private final ResourceIndex index;
    private final Map<String, List<ListenerState>> listenersByGateway;
    private final Map<String, List<ListenerState>> listenersBySet;
    private final String controllerName;
    private final Map<String, Route> routes = new HashMap<>();
    private final List<Policy<S>> policies = new ArrayList<>();
    private final Map<Target, Policy<S>> winners = new HashMap<>();

    /**
     * @param kind the policy kind, for messages
     * @param plural EG's word for several of them in an Overridden message ("backendTrafficPolicies")
     * @param targetKinds the kinds a policy of this kind may target
     * @param invalidApplies whether an invalid policy still takes its targets (a SecurityPolicy does: its routes
     *                       then fail closed) or applies nowhere (a BackendTrafficPolicy)
     * @param listenersByGateway our Gateways' listeners by "ns/name"
     * @param listenersBySet the listeners of ListenerSets attached to our Gateways, by "ns/name"
     */
    PolicyAttachments(String kind, String plural, Set<String> targetKinds, boolean invalidApplies, ResourceIndex index,
                      Map<String, List<ListenerState>> listenersByGateway,
                      Map<String, List<ListenerState>> listenersBySet, String controllerName) {
        this.kind = kind;
        this.plural = plural;
        this.targetKinds = targetKinds;
        this.invalidApplies = invalidApplies;
        this.index = index;
        this.listenersByGateway = listenersByGateway;
        this.listenersBySet = listenersBySet;
        this.controllerName = controllerName;
    }

    /** The routes by kind and name, indexed only once a policy exists: most configs have none. */
    private void indexRoutes() {
        if (!routes.isEmpty()) {
            return;
        }
        for (HTTPRoute r : index.httpRoutes) {
            Set<String> names = new HashSet<>();
            if (r.getSpec().getRules() != null) {
                r.getSpec().getRules().forEach(rule -> names.add(rule.getName()));
            }
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
    }

    /**
     * Attaches a policy to its targets; call in age order (oldest first), then {@link #done()}.
     *
     * @param spec what it becomes (null when invalid and {@code invalidApplies} is false)
     * @param invalid its Accepted=False/Invalid condition, or null when valid
     * @param diagnostics receives each target that is not ours, as a warning
     */
    Policy<S> add(GenericKubernetesResource object, S spec, Condition invalid, List<Diagnostic> diagnostics) {
        Map<?, ?> raw = object.getAdditionalProperties().get("spec") instanceof Map<?, ?> m ? m : Map.of();
        indexRoutes();
        Policy<S> p = new Policy<>(object, spec);
        policies.add(p);
        List<Target> targets = invalid == null ? targets(raw, object, index) : rawTargets(raw, object);
        for (Target t : targets) {
            attach(p, t, invalid, index.origin(object), diagnostics);
        }
        return p;
    }

    /** True when no policy took any target: the routes' results stay as they are. */
    boolean isEmpty() {
        return winners.isEmpty();
    }

    /** Once every policy is added: a Gateway's policy displaced on listeners that have their own. */
    void done() {
        overriddenByListeners();
    }

    private void attach(Policy<S> p, Target t, Condition invalid, ResourceSet.Entry origin, List<Diagnostic> diagnostics) {
        List<String> ancestors = new ArrayList<>();
        String missing = resolve(t, ancestors);
        if (ancestors.isEmpty()) {
            // EG writes no ancestor for a target no Gateway of its own serves; in files, say so
            diagnostics.add(PolicyFields.diagnostic(Diagnostic.Severity.WARNING, kind, p.object, origin,
                    "spec.targetRefs", "no " + t + " attached to a Gateway of this controller: ignored"));
            return;
        }
        Condition verdict;
        if (invalid != null) {
            verdict = invalid;
        } else if (missing != null) {
            verdict = Conditions.policyTargetNotFound(missing);
        } else {
            verdict = null;
        }
        if (missing == null && (invalid == null || invalidApplies)) {
            Policy<S> winner = winners.putIfAbsent(t, p);
            if (winner != null && winner != p) {
                verdict = Conditions.policyConflicted("Unable to target " + describe(t) + ", another " + kind
                        + " has already attached to it");
            } else if (verdict == null) {
                verdict = policyAccepted();
            }
        }
        Condition reported = verdict;
        ancestors.forEach(a -> p.report(a, reported));
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
    private List<Target> targets(Map<?, ?> spec, GenericKubernetesResource policy, ResourceIndex index) {
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

    private List<Target> rawTargets(Map<?, ?> spec, GenericKubernetesResource policy) {
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
                    && targetKinds.contains(kind)) {
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
                Policy<S> whole = winners.get(new Target(t.kind(), t.key(), null));
                if (whole != null && whole != p) {
                    whole.overriddenListeners.add(t.key() + "/" + t.section());
                }
            }
        });
    }

    /** The policy that applies to a rule, and why (for the views). */
    record Choice<S>(Policy<S> policy, PolicyChoice why) { }

    /**
     * The policy that applies to a rule of a route, most specific first; the less specific ones it displaces are
     * told so (for their Overridden condition).
     */
    Policy<S> effective(String kind, HasMetadata route, String ruleName, List<ParentReference> parentRefs) {
        Choice<S> c = choose(kind, route, ruleName, parentRefs);
        return c == null ? null : c.policy();
    }

    /** {@link #effective}, with the target that decided it and the policies it displaced, or {@code null}. */
    Choice<S> choose(String kind, HasMetadata route, String ruleName, List<ParentReference> parentRefs) {
        String key = ResourceIndex.qualifiedName(route);
        List<Policy<S>> chain = new ArrayList<>();
        List<String> levels = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        add(chain, levels, targets, ruleName == null ? null : winners.get(new Target(kind, key, ruleName)),
                "rule " + key + "/" + ruleName, kind + " " + key + " rule " + ruleName);
        add(chain, levels, targets, winners.get(new Target(kind, key, null)), "route " + key, kind + " " + key);
        List<Policy<S>> gatewayLevel = new ArrayList<>();
        List<String> gatewayTargets = new ArrayList<>();
        for (ListenerState l : parentListeners(kind, route, parentRefs)) {
            if (l.fromListenerSet()) {
                String set = ResourceIndex.qualifiedName(l.owner);
                add(chain, levels, targets, winners.get(new Target(ListenerState.LISTENER_SET, set, l.name())),
                        "listener " + set + "/" + l.name(), "ListenerSet " + set + " listener " + l.name());
                add(chain, levels, targets, winners.get(new Target(ListenerState.LISTENER_SET, set, null)),
                        "listener " + set, "ListenerSet " + set);
            } else {
                add(chain, levels, targets, winners.get(new Target("Gateway", l.gatewayKey, l.name())),
                        "listener " + l.gatewayKey + "/" + l.name(), "Gateway " + l.gatewayKey + " listener " + l.name());
            }
            Policy<S> g = winners.get(new Target("Gateway", l.gatewayKey, null));
            if (g != null) {
                gatewayLevel.add(g);
                gatewayTargets.add("Gateway " + l.gatewayKey);
            }
        }
        for (int i = 0; i < gatewayLevel.size(); i++) {
            add(chain, levels, targets, gatewayLevel.get(i), "gateway", gatewayTargets.get(i));
        }
        if (chain.isEmpty()) {
            return null;
        }
        Policy<S> winner = chain.get(0);
        String[] level = levels.get(0).split(" ", 2);
        List<String> displacedHere = new ArrayList<>();
        for (int i = 1; i < chain.size(); i++) {
            Policy<S> displaced = chain.get(i);
            if (displaced != winner) {
                switch (level[0]) {
                    case "rule" -> displaced.overriddenRules.add(level[1]);
                    case "route" -> displaced.overriddenRoutes.add(level[1]);
                    default -> displaced.overriddenListeners.add(level[1]);
                }
                String d = displaced.self + " (" + targets.get(i) + ")";
                if (!displacedHere.contains(d)) {
                    displacedHere.add(d);
                }
            }
        }
        return new Choice<>(winner, new PolicyChoice(this.kind, winner.self, targets.get(0),
                displacedHere));
    }

    private static <S> void add(List<Policy<S>> chain, List<String> levels, List<String> targets, Policy<S> p,
                                String level, String target) {
        if (p != null) {
            chain.add(p);
            levels.add(level);
            targets.add(target);
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

    /** One status per policy, once every route has been applied (Overridden needs them all). */
    List<ResourceStatus> statuses() {
        List<ResourceStatus> out = new ArrayList<>();
        for (Policy<S> p : policies) {
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
            out.add(new ResourceStatus(kind, ResourceIndex.namespace(p.object), p.object.getMetadata().getName(),
                    List.of(), List.of(), ancestors));
        }
        return out;
    }

    private String overriddenMessage(Policy<S> p) {
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
                : "This policy is being overridden by other " + plural + " for " + String.join(" and ", parts);
    }

    private static Condition policyAccepted() {
        return new Condition("Accepted", Conditions.TRUE, "Accepted", "Policy has been accepted.");
    }
}
