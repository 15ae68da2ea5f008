package dev.gatehouse.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.FrontendTLSValidation;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayTLSConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerTLSConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SecretObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSPortConfig;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Secrets and ConfigMaps the translator reads, as "namespace/name": a Gateway's or ListenerSet's listener
 * {@code certificateRefs}, a Gateway's {@code spec.tls.backend.clientCertificateRef} and {@code spec.tls.frontend}
 * CA refs, a BackendTLSPolicy's {@code caCertificateRefs}. Only these are fetched from the API
 * ({@link NamedInformers}): a cluster holds Secrets of every application, which gatehouse has no business holding.
 * A cross-namespace reference is listed whether or not a ReferenceGrant allows it: the translator decides that, and
 * its status says so. Of our own policies, a SecurityPolicy names Secrets ({@code apiKeyAuth.credentialRefs},
 * {@code basicAuth.users}, {@code oidc.clientSecret}, {@code oidc.clientIDRef}, gatehouse.dev's
 * {@code oidc.cookieSecret}) and ConfigMaps ({@code jwt.providers[].localJWKS.valueRef}); one that names more adds
 * its refs here.
 *
 * @param secrets "namespace/name" of every referenced Secret
 * @param configMaps "namespace/name" of every referenced ConfigMap
 */
record ObjectReferences(Set<String> secrets, Set<String> configMaps) {
    private static final String SECRET = "Secret";
    private static final String CONFIG_MAP = "ConfigMap";

    static ObjectReferences of(Collection<? extends HasMetadata> gateways, Collection<? extends HasMetadata> listenerSets,
                               Collection<? extends HasMetadata> policies) {
        ObjectReferences out = new ObjectReferences(new TreeSet<>(), new TreeSet<>());
        for (HasMetadata o : gateways) {
            if (o instanceof Gateway g && g.getSpec() != null) {
                String ns = g.getMetadata().getNamespace();
                for (var l : orEmpty(g.getSpec().getListeners())) {
                    out.addCertificates(ns, l.getTls());
                }
                GatewayTLSConfig tls = g.getSpec().getTls();
                if (tls != null && tls.getBackend() != null) {
                    out.addSecret(ns, tls.getBackend().getClientCertificateRef());
                }
                out.addFrontend(ns, tls);
            }
        }
        for (HasMetadata o : listenerSets) {
            if (o instanceof ListenerSet s && s.getSpec() != null) {
                for (var l : orEmpty(s.getSpec().getListeners())) {
                    out.addCertificates(s.getMetadata().getNamespace(), l.getTls());
                }
            }
        }
        for (HasMetadata o : policies) {
            if (o instanceof BackendTLSPolicy p && p.getSpec() != null && p.getSpec().getValidation() != null) {
                for (LocalObjectReference ref : orEmpty(p.getSpec().getValidation().getCaCertificateRefs())) {
                    out.add(p.getMetadata().getNamespace(), ref.getGroup(), ref.getKind(), null, ref.getName());
                }
            } else if (o instanceof GenericKubernetesResource g && "SecurityPolicy".equals(g.getKind())
                    && g.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec) {
                String ns = g.getMetadata().getNamespace();
                if (spec.get("apiKeyAuth") instanceof Map<?, ?> keys && keys.get("credentialRefs") instanceof List<?> refs) {
                    refs.forEach(ref -> out.addSecretRef(ns, ref));
                }
                if (spec.get("basicAuth") instanceof Map<?, ?> basic) {
                    out.addSecretRef(ns, basic.get("users"));
                }
                if (spec.get("jwt") instanceof Map<?, ?> jwt && jwt.get("providers") instanceof List<?> providers) {
                    for (Object p : providers) {
                        if (p instanceof Map<?, ?> m && m.get("localJWKS") instanceof Map<?, ?> local
                                && local.get("valueRef") instanceof Map<?, ?> ref && ref.get("name") instanceof String n) {
                            out.add(ns, null, CONFIG_MAP, null, n);
                        }
                    }
                }
                if (spec.get("oidc") instanceof Map<?, ?> oidc) {
                    for (String field : List.of("clientSecret", "clientIDRef", "cookieSecret")) {
                        out.addSecretRef(ns, oidc.get(field));
                    }
                }
            }
        }
        return out;
    }

    private void addCertificates(String ns, ListenerTLSConfig tls) {
        for (SecretObjectReference ref : tls == null ? List.<SecretObjectReference>of() : orEmpty(tls.getCertificateRefs())) {
            addSecret(ns, ref);
        }
    }

    /** A SecretObjectReference's kind defaults to Secret. */
    private void addSecret(String ns, SecretObjectReference ref) {
        if (ref != null) {
            add(ns, ref.getGroup(), ref.getKind() == null ? SECRET : ref.getKind(), ref.getNamespace(), ref.getName());
        }
    }

    /** A SecretObjectReference read generically (our own policies): kind defaults to Secret, group to core. */
    private void addSecretRef(String ns, Object ref) {
        if (ref instanceof Map<?, ?> m && m.get("name") instanceof String name) {
            add(ns, m.get("group") instanceof String g ? g : null, m.get("kind") instanceof String k ? k : SECRET,
                    m.get("namespace") instanceof String n ? n : null, name);
        }
    }

    private void addFrontend(String gatewayNs, GatewayTLSConfig tls) {
        if (tls == null || tls.getFrontend() == null) {
            return;
        }
        List<TLSConfig> configs = new ArrayList<>();
        configs.add(tls.getFrontend().getDefault());
        for (TLSPortConfig p : orEmpty(tls.getFrontend().getPerPort())) {
            configs.add(p.getTls());
        }
        for (TLSConfig c : configs) {
            FrontendTLSValidation v = c == null ? null : c.getValidation();
            for (ObjectReference ref : v == null ? List.<ObjectReference>of() : orEmpty(v.getCaCertificateRefs())) {
                add(gatewayNs, ref.getGroup(), ref.getKind(), ref.getNamespace(), ref.getName());
            }
        }
    }

    private void add(String ownNs, String group, String kind, String ns, String name) {
        if ((group != null && !group.isEmpty()) || name == null) {
            return;
        }
        String key = (ns == null || ns.isEmpty() ? ownNs : ns) + "/" + name;
        if (SECRET.equals(kind)) {
            secrets.add(key);
        } else if (CONFIG_MAP.equals(kind)) {
            configMaps.add(key);
        }
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
