package dev.gatehouse.translate;

import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.TlsSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerTLSConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SecretObjectReference;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Resolves the certificateRefs of a listener that terminates TLS (HTTPS, or TLS with {@code mode: Terminate}) to Secrets holding PEM certificate and key. */
final class ListenerTlsResolver {
    private final ResourceIndex index;
    private final ReferenceGrants grants;
    private final FrontendValidationResolver frontend;

    ListenerTlsResolver(ResourceIndex index, ReferenceGrants grants) {
        this.index = index;
        this.grants = grants;
        this.frontend = new FrontendValidationResolver(index, grants);
    }

    /** Sets {@code tls}, or {@code resolvedRefs} and {@code certificatesValid} when a reference fails. */
    void resolve(ListenerState state) {
        ListenerTLSConfig tls = state.listener.getTls();
        List<SecretObjectReference> refs = tls == null || tls.getCertificateRefs() == null ? List.of() : tls.getCertificateRefs();
        if (refs.isEmpty()) {
            fail(state, Conditions.listenerInvalidCertificateRef(
                    state.listener.getProtocol() + " listener has no certificateRefs"));
            return;
        }
        // a ListenerSet's own namespace and kind: ReferenceGrants to its Gateway are not inherited (GEP-1713)
        String ownerNs = state.ownerNamespace();
        List<TlsSpec.CertificateSpec> certs = new ArrayList<>();
        for (SecretObjectReference ref : refs) {
            String group = ref.getGroup() == null ? "" : ref.getGroup();
            String kind = ref.getKind() == null ? "Secret" : ref.getKind();
            String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? ownerNs : ref.getNamespace();
            String key = ns + "/" + ref.getName();
            if (!group.isEmpty() || !kind.equals("Secret")) {
                fail(state, Conditions.listenerInvalidCertificateRef(
                        "certificateRef " + group + "/" + kind + " " + key + " is not a core Secret"));
                return;
            }
            if (!grants.permits(state.ownerKind(), ownerNs, "Secret", ns, ref.getName())) {
                fail(state, Conditions.listenerRefNotPermitted(
                        "certificateRef Secret " + key + " is not permitted by any ReferenceGrant"));
                return;
            }
            String[] pems = pemsOf(index.secrets.get(key));
            if (pems == null) {
                fail(state, Conditions.listenerInvalidCertificateRef(
                        "Secret " + key + " does not exist or is not a kubernetes.io/tls Secret with PEM tls.crt and tls.key"));
                return;
            }
            try {
                certs.add(PemCertificate.read(key, pems[0], pems[1]));
            } catch (PemCertificate.InvalidPem e) {
                fail(state, Conditions.listenerInvalidCertificateRef("Secret " + key + ": " + e.getMessage()));
                return;
            }
        }
        // the Gateway's frontend validation is for listeners handling HTTPS (not TLS ones that relay bytes)
        state.tls = new TlsSpec(certs, state.protocol == Protocol.HTTPS ? frontend.resolve(state) : null);
    }

    private static void fail(ListenerState state, Condition condition) {
        state.resolvedRefs = condition;
        state.certificatesValid = false;
    }

    /** @return tls.crt and tls.key, or null when the Secret is missing, of another type or without PEM in them */
    static String[] pemsOf(Secret secret) {
        if (secret == null || !"kubernetes.io/tls".equals(secret.getType())) {
            return null;
        }
        String crt = pem(secret, "tls.crt");
        String pkey = pem(secret, "tls.key");
        if (crt == null || pkey == null || !crt.contains("-----BEGIN") || !pkey.contains("-----BEGIN")) {
            return null;
        }
        return new String[] {crt, pkey};
    }

    static String pem(Secret secret, String name) {
        return SecretValues.value(secret, name);
    }
}
