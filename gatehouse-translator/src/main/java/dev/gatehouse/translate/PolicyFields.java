package dev.gatehouse.translate;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Field checks our gatehouse.dev policies (read as generic resources, in Envoy Gateway's shapes) share: where a
 * finding is reported (file, document, "Kind ns/name", field) and the targetRefs item rules of EG's CEL.
 */
final class PolicyFields {
    static final String GATEWAY_GROUP = "gateway.networking.k8s.io";
    private static final Set<String> REF_FIELDS = Set.of("group", "kind", "name", "sectionName");

    private PolicyFields() {
    }

    static Diagnostic error(String kind, GenericKubernetesResource policy, ResourceSet.Entry origin, String field,
                            String message) {
        return diagnostic(Diagnostic.Severity.ERROR, kind, policy, origin, field, message);
    }

    static Diagnostic diagnostic(Diagnostic.Severity severity, String kind, GenericKubernetesResource policy,
                                 ResourceSet.Entry origin, String field, String message) {
        return new Diagnostic(severity, origin == null ? null : origin.file(), origin == null ? 0 : origin.document(),
                kind + " " + ResourceIndex.qualifiedName(policy), field, message);
    }

    /** An "unknown field" error for each key of {@code map} not in {@code known}, in key order. */
    static void unknown(Map<?, ?> map, Set<String> known, String at, String kind, GenericKubernetesResource policy,
                        ResourceSet.Entry origin, List<Diagnostic> out) {
        for (String k : new TreeSet<>(map.keySet().stream().map(String::valueOf).toList())) {
            if (!known.contains(k)) {
                out.add(error(kind, policy, origin, at + "." + k, "unknown field"));
            }
        }
    }

    /**
     * One {@code targetRefs} item (or the deprecated {@code targetRef}): only its four fields, EG's group rule,
     * one of {@code kinds}, and a name.
     */
    static void targetRef(Object item, String at, Set<String> kinds, String kind, GenericKubernetesResource policy,
                          ResourceSet.Entry origin, List<Diagnostic> out) {
        if (!(item instanceof Map<?, ?> ref)) {
            out.add(error(kind, policy, origin, at, "must be a mapping"));
            return;
        }
        unknown(ref, REF_FIELDS, at, kind, policy, origin, out);
        if (!GATEWAY_GROUP.equals(ref.get("group")) || !kinds.contains(String.valueOf(ref.get("kind")))) {
            out.add(error(kind, policy, origin, at, "only group " + GATEWAY_GROUP + ", kind "
                    + String.join(", ", new TreeSet<>(kinds)).replaceFirst(", (\\w+)$", " or $1") + " is supported"));
        }
        if (!(ref.get("name") instanceof String n) || n.isEmpty()) {
            out.add(error(kind, policy, origin, at + ".name", "required field is missing"));
        } else if (n.length() > 253) {
            out.add(error(kind, policy, origin, at + ".name", "must be at most 253 characters"));
        }
        if (ref.get("sectionName") != null && !(ref.get("sectionName") instanceof String)) {
            out.add(error(kind, policy, origin, at + ".sectionName", "must be a string"));
        }
    }
}
