package dev.gatehouse.translate;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Controller mode's answer to objects the translator's validation refuses though their CRD admitted them: each is
 * left out of the translation and says why in its own status, so that one team's mistake does not freeze every
 * other change in the cluster. Files keep refusing the whole config ({@link TranslatorOptions#leaveOutRefused()}).
 */
final class RefusedObjects {
    private static final Set<String> POLICY_TARGETS = Set.of("Gateway", ListenerState.LISTENER_SET,
            GatewayTranslator.HTTP_ROUTE, GrpcRouteTranslator.GRPC_ROUTE, L4Route.TCP_ROUTE, L4Route.TLS_ROUTE,
            L4Route.UDP_ROUTE);

    private final ResourceSet rest;
    /** each refused entry with "field: message" of its errors */
    private final Map<ResourceSet.Entry, List<String>> refused;

    private RefusedObjects(ResourceSet rest, Map<ResourceSet.Entry, List<String>> refused) {
        this.rest = rest;
        this.refused = refused;
    }

    /**
     * @return the objects the errors among {@code diagnostics} name, or {@code null} when an error names no object
     *         of the set (then nothing can be left out alone: the whole config is refused)
     */
    static RefusedObjects of(ResourceSet resources, List<Diagnostic> diagnostics) {
        Map<String, List<String>> byResource = new LinkedHashMap<>();
        for (Diagnostic d : diagnostics) {
            if (d.severity() == Diagnostic.Severity.ERROR) {
                if (d.resource() == null) {
                    return null;
                }
                byResource.computeIfAbsent(d.resource(), r -> new ArrayList<>())
                        .add(d.field() == null ? d.message() : d.field() + ": " + d.message());
            }
        }
        Map<ResourceSet.Entry, List<String>> refused = new LinkedHashMap<>();
        List<ResourceSet.Entry> rest = new ArrayList<>();
        for (ResourceSet.Entry e : resources.entries()) {
            List<String> errors = byResource.remove(key(e.object()));
            if (errors == null) {
                rest.add(e);
            } else {
                refused.put(e, errors);
            }
        }
        return byResource.isEmpty() ? new RefusedObjects(new ResourceSet(rest), refused) : null;
    }

    private static String key(HasMetadata o) {
        return o.getKind() + " " + ResourceIndex.qualifiedName(o);
    }

    /** The set without the refused objects. */
    ResourceSet rest() {
        return rest;
    }

    /** The diagnostics with each refused object's errors replaced by one warning that it was left out. */
    List<Diagnostic> diagnostics(List<Diagnostic> all) {
        List<Diagnostic> out = new ArrayList<>(all.stream().filter(d -> d.severity() != Diagnostic.Severity.ERROR).toList());
        refused.forEach((e, errors) -> out.add(new Diagnostic(Diagnostic.Severity.WARNING, e.file(), e.document(),
                key(e.object()), null, Translation.LEFT_OUT + String.join("; ", errors))));
        return out;
    }

    /**
     * A refused route is {@code Accepted=False, UnsupportedValue} under each parent of ours; a refused policy
     * {@code Accepted=False, Invalid} under each ancestor of ours, as an invalid one is. Other kinds (a Gateway,
     * a ReferenceGrant) keep the status they have: the warning says why.
     */
    List<ResourceStatus> statuses(ResourceIndex index, Map<String, List<ListenerState>> listenersByGateway,
                                  Map<String, List<ListenerState>> listenersBySet, String controllerName) {
        List<ResourceStatus> out = new ArrayList<>();
        refused.forEach((e, errors) -> {
            HasMetadata o = e.object();
            String why = String.join("; ", errors);
            List<ParentReference> parentRefs = o instanceof HTTPRoute r && r.getSpec() != null ? r.getSpec().getParentRefs()
                    : o instanceof GRPCRoute r && r.getSpec() != null ? r.getSpec().getParentRefs() : null;
            if (parentRefs != null) {
                String ns = ResourceIndex.namespace(o);
                List<ResourceStatus.ParentStatus> parents = new ArrayList<>();
                for (ParentReference ref : parentRefs) {
                    String kind = ref.getKind() == null ? "Gateway" : ref.getKind();
                    String refNs = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? ns : ref.getNamespace();
                    Map<String, List<ListenerState>> ours = kind.equals("Gateway") ? listenersByGateway
                            : kind.equals(ListenerState.LISTENER_SET) ? listenersBySet : Map.of();
                    if (ours.containsKey(refNs + "/" + ref.getName())) {
                        parents.add(new ResourceStatus.ParentStatus(RouteAttacher.describe(kind, ref, refNs),
                                controllerName, List.of(Conditions.routeUnsupportedValue(why))));
                    }
                }
                if (!parents.isEmpty()) {
                    out.add(new ResourceStatus(o.getKind(), ns, o.getMetadata().getName(), List.of(), List.of(),
                            parents));
                }
            } else if (o instanceof GenericKubernetesResource policy && isPolicy(policy)) {
                PolicyAttachments<Void> attachments = new PolicyAttachments<>(policy.getKind(), "", POLICY_TARGETS,
                        false, index, listenersByGateway, listenersBySet, controllerName);
                // targets that are not ours were warned about when the policy was valid; once is enough
                attachments.add(policy, null, Conditions.policyInvalid(why), new ArrayList<>());
                out.addAll(attachments.statuses().stream().filter(s -> !s.parents().isEmpty()).toList());
            }
        });
        return out;
    }

    private static boolean isPolicy(GenericKubernetesResource o) {
        return ClientTrafficPolicyTranslator.isPolicy(o) || BackendTrafficPolicyTranslator.isPolicy(o)
                || SecurityPolicyTranslator.isPolicy(o);
    }
}
