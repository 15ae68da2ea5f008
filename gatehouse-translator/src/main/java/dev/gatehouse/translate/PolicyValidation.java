package dev.gatehouse.translate;

import dev.gatehouse.translate.validate.DurationFormat;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the validators of our gatehouse.dev policies (EG's shapes, read as generic resources) share: the
 * targetRefs/targetSelectors rules of EG's CEL and field helpers that each report their own finding (as a
 * warning naming the file, the policy and the field: an invalid policy is reported in its status, the config
 * still loads).
 */
abstract class PolicyValidation {
    private final String kind;
    private final Set<String> targetKinds;
    final GenericKubernetesResource policy;
    final ResourceSet.Entry origin;
    private final List<Diagnostic> out = new ArrayList<>();

    PolicyValidation(String kind, Set<String> targetKinds, GenericKubernetesResource policy, ResourceSet.Entry origin) {
        this.kind = kind;
        this.targetKinds = targetKinds;
        this.policy = policy;
        this.origin = origin;
    }

    final List<Diagnostic> findings() {
        return out;
    }

    /** The spec, after checking the resource has nothing but spec and status; null (reported) when missing. */
    final Map<?, ?> spec() {
        for (String key : policy.getAdditionalProperties().keySet()) {
            if (!"spec".equals(key) && !"status".equals(key)) {
                error(key, "unknown field");
            }
        }
        if (!(policy.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec)) {
            error("spec", "required field is missing");
            return null;
        }
        return spec;
    }

    final void targets(Map<?, ?> spec) {
        boolean one = spec.get("targetRef") != null;
        boolean many = spec.get("targetRefs") instanceof List<?> l && !l.isEmpty();
        boolean selectors = spec.get("targetSelectors") instanceof List<?> l && !l.isEmpty();
        if (one == many && !selectors) {
            error("spec", "either targetRef or targetRefs must be used");
        }
        if (one) {
            PolicyFields.targetRef(spec.get("targetRef"), "spec.targetRef", targetKinds, kind, policy, origin, out);
        }
        if (spec.get("targetRefs") instanceof List<?> refs) {
            for (int i = 0; i < refs.size(); i++) {
                PolicyFields.targetRef(refs.get(i), "spec.targetRefs[" + i + "]", targetKinds, kind, policy, origin,
                        out);
            }
        } else if (spec.get("targetRefs") != null) {
            error("spec.targetRefs", "must be a list");
        }
        List<?> list = list(spec, "targetSelectors", "spec");
        for (int i = 0; list != null && i < list.size(); i++) {
            String at = "spec.targetSelectors[" + i + "]";
            Map<?, ?> s = map(list.get(i), at);
            if (s == null) {
                continue;
            }
            fields(s, Set.of("group", "kind", "matchLabels", "matchExpressions", "namespaces"), Set.of(), at);
            if (s.get("group") != null && !PolicyFields.GATEWAY_GROUP.equals(s.get("group"))) {
                error(at + ".group", "group must be " + PolicyFields.GATEWAY_GROUP);
            }
            if (!targetKinds.contains(String.valueOf(s.get("kind")))) {
                error(at + ".kind", "required, one of " + String.join(", ", new java.util.TreeSet<>(targetKinds)));
            }
            if (s.get("matchLabels") != null && !(s.get("matchLabels") instanceof Map<?, ?>)) {
                error(at + ".matchLabels", "must be a mapping of label to value");
            }
            List<?> expressions = list(s, "matchExpressions", at);
            for (int e = 0; expressions != null && e < expressions.size(); e++) {
                String eat = at + ".matchExpressions[" + e + "]";
                Map<?, ?> x = map(expressions.get(e), eat);
                if (x != null) {
                    fields(x, Set.of("key", "operator", "values"), Set.of(), eat);
                    string(x, "key", eat, true);
                    oneOf(x, "operator", eat, Set.of("In", "NotIn", "Exists", "DoesNotExist"), true);
                }
            }
            Map<?, ?> ns = map(s.get("namespaces"), at + ".namespaces");
            if (ns != null) {
                fields(ns, Set.of("from"), Set.of("selector"), at + ".namespaces");
                if (ns.get("from") != null && !"Same".equals(ns.get("from"))) {
                    error(at + ".namespaces.from", "only Same (the policy's namespace) is supported yet by gatehouse");
                }
            }
        }
    }

    // --- field helpers: each reports its own problem and returns null when the value is absent or unusable

    final void fields(Map<?, ?> map, Set<String> known, Set<String> notYet, String at) {
        for (String k : new java.util.TreeSet<>(map.keySet().stream().map(String::valueOf).toList())) {
            if (notYet.contains(k)) {
                error(at + "." + k, "not supported yet by gatehouse (an Envoy Gateway field); remove it");
            } else if (!known.contains(k)) {
                error(at + "." + k, known.contains("consecutive5XxErrors") && k.equalsIgnoreCase("consecutive5XxErrors")
                        ? "unknown field: EG spells it consecutive5XxErrors" : "unknown field");
            }
        }
    }

    final Map<?, ?> map(Object value, String at) {
        if (value == null) {
            return null;
        }
        if (value instanceof Map<?, ?> m) {
            return m;
        }
        error(at, "must be a mapping");
        return null;
    }

    final List<?> list(Map<?, ?> parent, String key, String at) {
        Object value = parent.get(key);
        if (value == null) {
            return null;
        }
        if (value instanceof List<?> l) {
            return l;
        }
        error(at + "." + key, "must be a list");
        return null;
    }

    final String string(Map<?, ?> parent, String key, String at, boolean required) {
        Object value = parent.get(key);
        if (value == null) {
            if (required) {
                error(at + "." + key, "required field is missing");
            }
            return null;
        }
        if (value instanceof String s) {
            return s;
        }
        error(at + "." + key, "must be a string");
        return null;
    }

    final void oneOf(Map<?, ?> parent, String key, String at, Set<String> values, boolean required) {
        String value = string(parent, key, at, required);
        if (value != null && !values.contains(value)) {
            error(at + "." + key, "must be one of " + String.join(", ", new java.util.TreeSet<>(values)));
        }
    }

    final void bool(Map<?, ?> parent, String key, String at) {
        if (parent.get(key) != null && !(parent.get(key) instanceof Boolean)) {
            error(at + "." + key, "must be true or false");
        }
    }

    final java.time.Duration duration(Map<?, ?> parent, String key, String at, boolean required) {
        String value = string(parent, key, at, required);
        if (value == null) {
            return null;
        }
        java.time.Duration d = DurationFormat.parse(value);
        if (d == null) {
            error(at + "." + key, "must be a Gateway API duration such as 10s, 500ms or 1m30s");
        }
        return d;
    }

    final Long integer(Map<?, ?> parent, String key, String at, long min, long max) {
        Object value = parent.get(key);
        if (value == null) {
            return null;
        }
        if (value instanceof Number n && n.doubleValue() == n.longValue() && n.longValue() >= min
                && n.longValue() <= max) {
            return n.longValue();
        }
        error(at + "." + key, "must be an integer between " + min + " and " + max);
        return null;
    }

    final void statusCodes(Map<?, ?> parent, String key, String at, int min) {
        List<?> codes = list(parent, key, at);
        for (int i = 0; codes != null && i < codes.size(); i++) {
            if (!(codes.get(i) instanceof Number n) || n.intValue() < min || n.intValue() > 599
                    || n.doubleValue() != n.intValue()) {
                error(at + "." + key + "[" + i + "]", "must be an HTTP status code between " + min + " and 599");
            }
        }
    }

    final void error(String field, String message) {
        out.add(PolicyFields.diagnostic(Diagnostic.Severity.WARNING, kind, policy, origin, field, message));
    }
}
