package dev.gatehouse.translate;

import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.TlsSpec;
import dev.gatehouse.ir.UpstreamTlsSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicyValidation;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalPolicyTargetReferenceWithSectionName;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SecretObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SubjectAltName;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * BackendTLSPolicies and the Gateways' {@code spec.tls.backend}: which policy applies to each Service port
 * (a targetRef with {@code sectionName}, the port's name, before one for the whole Service; the oldest policy
 * of a target wins, the others are {@code Conflicted}), what TLS it asks for or why it cannot be used, and the
 * policies' status for each ancestor, the Gateways whose attached routes use a targeted Service port.
 */
final class BackendTlsPolicies {
    static final String KIND = "BackendTLSPolicy";

    /** One policy, resolved once, whatever its ancestors. */
    private static final class Policy {
        final BackendTLSPolicy object;
        final String key;
        /** null when the policy cannot be used; connections to its targets then fail (500) */
        UpstreamTlsSpec tls;
        Condition accepted = Conditions.policyAccepted();
        Condition resolvedRefs = Conditions.backendTlsPolicyResolvedRefs();
        /** "Gateway ns/name" -> whether this policy applied there (false: another policy won the target) */
        final Map<String, Boolean> ancestors = new LinkedHashMap<>();

        Policy(BackendTLSPolicy object) {
            this.object = object;
            this.key = ResourceIndex.qualifiedName(object);
        }
    }

    /** @param losers policies that also target the port but lost it to {@code winner} */
    private record Applied(Policy winner, List<Policy> losers) { }

    private final ResourceIndex index;
    private final ReferenceGrants grants;
    private final List<Policy> policies = new ArrayList<>();
    /** "ns/service" or "ns/service#portName" -> policies targeting it, oldest first */
    private final Map<String, List<Policy>> byTarget = new HashMap<>();
    /** cluster name -> policies applying to it; filled as backends resolve */
    private final Map<String, Applied> byCluster = new HashMap<>();
    /** clusters with a policy resolved since the last {@link #takeUsed()} */
    private final Set<String> used = new LinkedHashSet<>();
    /** "ns/gateway" -> its client certificate; absent when it has none or it is invalid */
    private final Map<String, TlsSpec.CertificateSpec> clientCertificates = new HashMap<>();
    private final Map<String, Condition> clientCertificateFailures = new HashMap<>();
    /** cluster name -> "ns/gateway" of the attached routes that use it, in Gateway age order */
    private final Map<String, Set<String>> gatewaysByCluster = new HashMap<>();

    BackendTlsPolicies(ResourceIndex index, ReferenceGrants grants, List<Diagnostic> diagnostics) {
        this.index = index;
        this.grants = grants;
        for (BackendTLSPolicy object : index.backendTlsPolicies) {
            Policy p = new Policy(object);
            policies.add(p);
            resolve(p);
            for (int i = 0; i < object.getSpec().getTargetRefs().size(); i++) {
                String target = target(object, object.getSpec().getTargetRefs().get(i), "spec.targetRefs[" + i + "]",
                        diagnostics);
                if (target != null) {
                    byTarget.computeIfAbsent(target, t -> new ArrayList<>()).add(p);
                }
            }
        }
    }

    /** @return the target key, or null (with a warning: a policy without ancestors has no status to say it) */
    private String target(BackendTLSPolicy policy, LocalPolicyTargetReferenceWithSectionName ref, String field,
                          List<Diagnostic> diagnostics) {
        String group = ref.getGroup() == null ? "" : ref.getGroup();
        String service = ResourceIndex.key(ResourceIndex.namespace(policy), ref.getName());
        String problem = null;
        if (!group.isEmpty() || !"Service".equals(ref.getKind())) {
            problem = "targets " + (group.isEmpty() ? "" : group + "/") + ref.getKind() + " " + ref.getName()
                    + "; only a core Service can be targeted";
        } else if (!index.services.containsKey(service)) {
            problem = "targets Service " + service + ", which does not exist";
        } else if (ref.getSectionName() != null && portNamed(index.services.get(service), ref.getSectionName()) == null) {
            problem = "targets port " + ref.getSectionName() + " of Service " + service + ", which has no port of that name";
        }
        if (problem != null) {
            ResourceSet.Entry origin = index.origin(policy);
            diagnostics.add(new Diagnostic(Diagnostic.Severity.WARNING, origin == null ? null : origin.file(),
                    origin == null ? 0 : origin.document(), KIND + " " + ResourceIndex.qualifiedName(policy), field,
                    problem + "; the target is ignored"));
            return null;
        }
        return ref.getSectionName() == null ? service : service + "#" + ref.getSectionName();
    }

    private static ServicePort portNamed(Service service, String name) {
        if (service.getSpec() == null || service.getSpec().getPorts() == null) {
            return null;
        }
        return service.getSpec().getPorts().stream().filter(p -> name.equals(p.getName())).findFirst().orElse(null);
    }

    private void resolve(Policy p) {
        BackendTLSPolicyValidation v = p.object.getSpec().getValidation();
        String ns = ResourceIndex.namespace(p.object);
        List<UpstreamTlsSpec.TrustedCa> cas = new ArrayList<>();
        List<LocalObjectReference> refs = v.getCaCertificateRefs() == null ? List.of() : v.getCaCertificateRefs();
        for (LocalObjectReference ref : refs) {
            String group = ref.getGroup() == null ? "" : ref.getGroup();
            String what = (group.isEmpty() ? "" : group + "/") + ref.getKind() + " " + ns + "/" + ref.getName();
            if (!group.isEmpty() || !("ConfigMap".equals(ref.getKind()) || "Secret".equals(ref.getKind()))) {
                refFailed(p, Conditions.backendTlsPolicyInvalidKind(
                        "caCertificateRef " + what + " is not a core ConfigMap or Secret"));
                continue;
            }
            String problem = null;
            String pem = caPem(ref.getKind(), ns + "/" + ref.getName());
            if (pem == null) {
                problem = "does not exist or has no ca.crt";
            } else {
                problem = certificatesProblem(pem);
            }
            if (problem != null) {
                refFailed(p, Conditions.backendTlsPolicyInvalidCaCertificateRef("caCertificateRef " + what + " " + problem));
            } else {
                cas.add(new UpstreamTlsSpec.TrustedCa(ref.getKind() + " " + ns + "/" + ref.getName(), pem));
            }
        }
        if (!refs.isEmpty() && cas.isEmpty()) {
            p.accepted = Conditions.backendTlsPolicyNoValidCaCertificate(
                    "no caCertificateRef is valid: " + p.resolvedRefs.message());
            return;
        }
        String wellKnown = v.getWellKnownCACertificates();
        if (refs.isEmpty() && !"System".equals(wellKnown)) {
            p.accepted = Conditions.backendTlsPolicyInvalid("wellKnownCACertificates " + wellKnown
                    + " is not supported (System is: the JDK's trust store)");
            return;
        }
        List<UpstreamTlsSpec.SubjectAltName> sans = new ArrayList<>();
        for (SubjectAltName san : v.getSubjectAltNames() == null ? List.<SubjectAltName>of() : v.getSubjectAltNames()) {
            sans.add("URI".equals(san.getType())
                    ? new UpstreamTlsSpec.SubjectAltName(UpstreamTlsSpec.SubjectAltName.Type.URI, san.getUri())
                    : new UpstreamTlsSpec.SubjectAltName(UpstreamTlsSpec.SubjectAltName.Type.HOSTNAME,
                            san.getHostname().toLowerCase(Locale.ROOT)));
        }
        p.tls = new UpstreamTlsSpec(p.key, v.getHostname().toLowerCase(Locale.ROOT), cas, sans, null);
    }

    /** The first failing reference names the ResolvedRefs condition; the message says how many failed. */
    private static void refFailed(Policy p, Condition failure) {
        if (Conditions.TRUE.equals(p.resolvedRefs.status())) {
            p.resolvedRefs = failure;
        }
    }

    private String caPem(String kind, String key) {
        if ("ConfigMap".equals(kind)) {
            ConfigMap cm = index.configMaps.get(key);
            return cm == null || cm.getData() == null ? null : cm.getData().get("ca.crt");
        }
        Secret secret = index.secrets.get(key);
        return secret == null ? null : ListenerTlsResolver.pem(secret, "ca.crt");
    }

    private static String certificatesProblem(String pem) {
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            return "holds no PEM certificate in ca.crt";
        }
        try {
            if (CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).isEmpty()) {
                return "holds no PEM certificate in ca.crt";
            }
        } catch (CertificateException e) {
            return "has a ca.crt that is not PEM X.509: " + e.getMessage();
        }
        return null;
    }

    /**
     * The policy for a Service port about to become cluster {@code cluster}, remembered for the ancestors.
     *
     * @return the TLS to speak, or null for none; {@code unusable} gets why the port cannot be reached when a
     *         policy applies but cannot be used
     */
    UpstreamTlsSpec apply(String serviceKey, ServicePort port, String cluster, String[] unusable) {
        List<Policy> candidates = port.getName() == null ? null : byTarget.get(serviceKey + "#" + port.getName());
        if (candidates == null) {
            candidates = byTarget.get(serviceKey);
        }
        if (candidates == null) {
            return null;
        }
        byCluster.putIfAbsent(cluster, new Applied(candidates.get(0), candidates.subList(1, candidates.size())));
        used.add(cluster);
        Policy winner = candidates.get(0);
        if (winner.tls == null) {
            unusable[0] = "BackendTLSPolicy " + winner.key + " is not accepted: " + winner.accepted.message();
        }
        return winner.tls;
    }

    /** Clusters with a policy that the backends resolved since the last call (one route's). */
    Set<String> takeUsed() {
        Set<String> out = Set.copyOf(used);
        used.clear();
        return out;
    }

    /** A route attached to these Gateways ("ns/name") uses these clusters. */
    void usedBy(Set<String> clusters, List<String> gateways) {
        for (String c : clusters) {
            gatewaysByCluster.computeIfAbsent(c, k -> new LinkedHashSet<>()).addAll(gateways);
        }
    }

    /** Resolves each Gateway's {@code spec.tls.backend.clientCertificateRef}. */
    void resolveClientCertificates(List<Gateway> gateways) {
        for (Gateway g : gateways) {
            SecretObjectReference ref = g.getSpec().getTls() == null || g.getSpec().getTls().getBackend() == null
                    ? null : g.getSpec().getTls().getBackend().getClientCertificateRef();
            if (ref == null) {
                continue;
            }
            String gatewayKey = ResourceIndex.qualifiedName(g);
            String gatewayNs = ResourceIndex.namespace(g);
            String group = ref.getGroup() == null ? "" : ref.getGroup();
            String kind = ref.getKind() == null ? "Secret" : ref.getKind();
            String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? gatewayNs : ref.getNamespace();
            String key = ns + "/" + ref.getName();
            if (!group.isEmpty() || !"Secret".equals(kind)) {
                clientCertificateFailures.put(gatewayKey, Conditions.gatewayInvalidClientCertificateRef(
                        "clientCertificateRef " + (group.isEmpty() ? "" : group + "/") + kind + " " + key
                                + " is not a core Secret"));
                continue;
            }
            if (!grants.permits("Gateway", gatewayNs, "Secret", ns, ref.getName())) {
                clientCertificateFailures.put(gatewayKey, Conditions.gatewayRefNotPermitted(
                        "clientCertificateRef Secret " + key + " is not permitted by any ReferenceGrant"));
                continue;
            }
            String[] pems = ListenerTlsResolver.pemsOf(index.secrets.get(key));
            if (pems == null) {
                clientCertificateFailures.put(gatewayKey, Conditions.gatewayInvalidClientCertificateRef("Secret " + key
                        + " does not exist or is not a kubernetes.io/tls Secret with PEM tls.crt and tls.key"));
                continue;
            }
            try {
                clientCertificates.put(gatewayKey, PemCertificate.read(key, pems[0], pems[1]));
            } catch (PemCertificate.InvalidPem e) {
                clientCertificateFailures.put(gatewayKey,
                        Conditions.gatewayInvalidClientCertificateRef("Secret " + key + ": " + e.getMessage()));
            }
        }
    }

    /** The Gateway's ResolvedRefs condition when its client certificate cannot be used, else null. */
    Condition clientCertificateFailure(String gatewayKey) {
        return clientCertificateFailures.get(gatewayKey);
    }

    /**
     * Gives each TLS cluster the client certificate of the Gateway its routes come through. A cluster is shared by
     * every Gateway whose routes name the Service port (one pool of connections per TLS identity); when those
     * Gateways present different certificates, the oldest Gateway's is used and a warning says so.
     */
    void finish(Map<String, ClusterSpec> clusters, List<String> gatewayOrder, List<Diagnostic> diagnostics) {
        Map<String, List<String>> overruled = new java.util.TreeMap<>(); // "ns/gateway" -> ports it does not decide
        for (Map.Entry<String, ClusterSpec> e : clusters.entrySet()) {
            ClusterSpec c = e.getValue();
            Set<String> gateways = gatewaysByCluster.getOrDefault(e.getKey(), Set.of());
            if (c.tls() == null || gateways.isEmpty()) {
                continue;
            }
            List<String> ordered = gatewayOrder.stream().filter(gateways::contains).toList();
            TlsSpec.CertificateSpec chosen = clientCertificates.get(ordered.get(0));
            for (String g : ordered) {
                if (!Objects.equals(clientCertificates.get(g), chosen)) {
                    overruled.computeIfAbsent(g, k -> new ArrayList<>()).add(e.getKey() + " (" + ordered.get(0) + "'s)");
                }
            }
            if (chosen != null) {
                e.setValue(c.withTls(c.tls().withClientCertificate(chosen)));
            }
        }
        overruled.forEach((g, ports) -> diagnostics.add(new Diagnostic(Diagnostic.Severity.WARNING, null, 0,
                "Gateway " + g, "spec.tls.backend.clientCertificateRef", "an older Gateway's routes use the same "
                + "Service ports, whose connections present the older Gateway's client certificate: "
                + String.join(", ", ports))));
        byCluster.forEach((cluster, applied) -> {
            for (String g : gatewaysByCluster.getOrDefault(cluster, Set.of())) {
                applied.winner().ancestors.put(g, true);
                for (Policy loser : applied.losers()) {
                    loser.ancestors.putIfAbsent(g, false);
                }
            }
        });
    }

    /** One status per policy with ancestors; a policy no attached route reaches has none to report. */
    List<ResourceStatus> statuses(String controllerName) {
        List<ResourceStatus> out = new ArrayList<>();
        for (Policy p : policies) {
            if (p.ancestors.isEmpty()) {
                continue;
            }
            List<ResourceStatus.ParentStatus> ancestors = new ArrayList<>();
            p.ancestors.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(a -> {
                Condition accepted = a.getValue() ? p.accepted : Conditions.policyConflicted(
                        "an older BackendTLSPolicy targets the same Service port");
                String[] gw = a.getKey().split("/", 2);
                ancestors.add(new ResourceStatus.ParentStatus(
                        ResourceStatus.ParentStatus.gatewayRef(gw[0], gw[1], null, null), controllerName,
                        List.of(accepted, p.resolvedRefs)));
            });
            out.add(new ResourceStatus(KIND, ResourceIndex.namespace(p.object), p.object.getMetadata().getName(),
                    List.of(), List.of(), ancestors));
        }
        return out;
    }
}
