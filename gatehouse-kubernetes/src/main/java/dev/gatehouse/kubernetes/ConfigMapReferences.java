package dev.gatehouse.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalObjectReference;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ConfigMaps the translator reads: those a BackendTLSPolicy names as a CA bundle. A cluster has a ConfigMap or
 * more in every namespace (kube-root-ca.crt, every app's config); handing them all to each translation, and
 * reloading whenever one changes, would make translation grow with things gatehouse never reads.
 */
final class ConfigMapReferences {
    private ConfigMapReferences() {
    }

    /** @return "namespace/name" of every ConfigMap the policies reference */
    static Set<String> of(Collection<? extends HasMetadata> policies) {
        Set<String> out = new HashSet<>();
        for (HasMetadata o : policies) {
            if (!(o instanceof BackendTLSPolicy p) || p.getSpec() == null || p.getSpec().getValidation() == null) {
                continue;
            }
            String ns = p.getMetadata().getNamespace();
            List<LocalObjectReference> refs = p.getSpec().getValidation().getCaCertificateRefs();
            for (LocalObjectReference ref : refs == null ? List.<LocalObjectReference>of() : refs) {
                if ((ref.getGroup() == null || ref.getGroup().isEmpty()) && "ConfigMap".equals(ref.getKind())) {
                    out.add(ns + "/" + ref.getName());
                }
            }
        }
        return out;
    }

    static boolean referenced(Set<String> references, ConfigMap c) {
        return references.contains(c.getMetadata().getNamespace() + "/" + c.getMetadata().getName());
    }
}
