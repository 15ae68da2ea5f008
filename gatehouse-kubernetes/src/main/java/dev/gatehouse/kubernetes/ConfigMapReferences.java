package dev.gatehouse.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.FrontendTLSValidation;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayTLSConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSPortConfig;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ConfigMaps the translator reads: those a BackendTLSPolicy or a Gateway's {@code spec.tls.frontend} names as a
 * CA bundle. A cluster has a ConfigMap or
 * more in every namespace (kube-root-ca.crt, every app's config); handing them all to each translation, and
 * reloading whenever one changes, would make translation grow with things gatehouse never reads.
 */
final class ConfigMapReferences {
    private ConfigMapReferences() {
    }

    /** @return "namespace/name" of every ConfigMap the policies and Gateways reference */
    static Set<String> of(Collection<? extends HasMetadata> policies, Collection<? extends HasMetadata> gateways) {
        Set<String> out = new HashSet<>();
        for (HasMetadata o : gateways) {
            if (o instanceof Gateway g && g.getSpec() != null) {
                addFrontend(out, g.getMetadata().getNamespace(), g.getSpec().getTls());
            }
        }
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

    private static void addFrontend(Set<String> out, String gatewayNs, GatewayTLSConfig tls) {
        if (tls == null || tls.getFrontend() == null) {
            return;
        }
        List<TLSConfig> configs = new java.util.ArrayList<>();
        configs.add(tls.getFrontend().getDefault());
        for (TLSPortConfig p : tls.getFrontend().getPerPort() == null ? List.<TLSPortConfig>of()
                : tls.getFrontend().getPerPort()) {
            configs.add(p.getTls());
        }
        for (TLSConfig c : configs) {
            FrontendTLSValidation v = c == null ? null : c.getValidation();
            for (ObjectReference ref : v == null || v.getCaCertificateRefs() == null ? List.<ObjectReference>of()
                    : v.getCaCertificateRefs()) {
                if ((ref.getGroup() == null || ref.getGroup().isEmpty()) && "ConfigMap".equals(ref.getKind())) {
                    String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? gatewayNs
                            : ref.getNamespace();
                    out.add(ns + "/" + ref.getName());
                }
            }
        }
    }

    static boolean referenced(Set<String> references, ConfigMap c) {
        return references.contains(c.getMetadata().getNamespace() + "/" + c.getMetadata().getName());
    }
}
