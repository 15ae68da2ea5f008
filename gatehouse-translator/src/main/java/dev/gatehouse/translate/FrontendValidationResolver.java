package dev.gatehouse.translate;

import dev.gatehouse.ir.ClientValidationSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.FrontendTLSValidation;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayTLSConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSPortConfig;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The Gateway's {@code spec.tls.frontend} for one HTTPS listener: the {@code perPort} entry of its port, else
 * {@code default}. Each caCertificateRef is a core ConfigMap (Core) or Secret (implementation-specific) with PEM
 * certificates under {@code ca.crt}; another namespace needs a ReferenceGrant. As the spec says: an invalid
 * reference sets the listener's {@code ResolvedRefs=False} ({@code InvalidCACertificateKind},
 * {@code RefNotPermitted} or {@code InvalidCACertificateRef}) and the valid ones are still used; when none is
 * valid the listener is {@code Accepted=False, NoValidCACertificate} and is not served (never without the
 * validation it asked for).
 */
final class FrontendValidationResolver {
    static final String CA_KEY = "ca.crt";

    private final ResourceIndex index;
    private final ReferenceGrants grants;

    FrontendValidationResolver(ResourceIndex index, ReferenceGrants grants) {
        this.index = index;
        this.grants = grants;
    }

    /** @return the validation of the listener, or {@code null} when it asks for none (or none is valid) */
    ClientValidationSpec resolve(ListenerState state) {
        FrontendTLSValidation validation = validationFor(state.gateway.getSpec().getTls(), state.port());
        if (validation == null || validation.getCaCertificateRefs() == null) {
            return null;
        }
        String gatewayNs = ResourceIndex.namespace(state.gateway);
        List<String> sources = new ArrayList<>();
        StringBuilder bundle = new StringBuilder();
        Condition problem = null;
        for (ObjectReference ref : validation.getCaCertificateRefs()) {
            String group = ref.getGroup() == null ? "" : ref.getGroup();
            String kind = ref.getKind() == null ? "" : ref.getKind();
            String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? gatewayNs : ref.getNamespace();
            String name = kind + " " + ns + "/" + ref.getName();
            Condition failure = null;
            String pem = null;
            if (!group.isEmpty() || !kind.equals("ConfigMap") && !kind.equals("Secret")) {
                failure = Conditions.listenerInvalidCACertificateKind("caCertificateRef "
                        + (group.isEmpty() ? "" : group + "/") + name + " is not a core ConfigMap or Secret");
            } else if (!grants.permits("Gateway", gatewayNs, kind, ns, ref.getName())) {
                failure = Conditions.listenerRefNotPermitted("caCertificateRef " + name
                        + " is not permitted by any ReferenceGrant");
            } else {
                pem = kind.equals("ConfigMap") ? fromConfigMap(index.configMaps.get(ns + "/" + ref.getName()))
                        : fromSecret(index.secrets.get(ns + "/" + ref.getName()));
                String why = pem == null ? "does not exist or has no " + CA_KEY : problemOf(pem);
                if (why != null) {
                    failure = Conditions.listenerInvalidCACertificateRef("caCertificateRef " + name + ": " + why);
                }
            }
            if (failure != null) {
                problem = problem == null ? failure : problem;
            } else {
                sources.add(name);
                bundle.append(pem.strip()).append('\n');
            }
        }
        if (problem != null) {
            state.resolvedRefs = problem;
        }
        if (sources.isEmpty()) {
            state.accepted = Conditions.listenerNoValidCACertificate("no valid caCertificateRef: " + problem.message());
            return null;
        }
        return new ClientValidationSpec(sources, bundle.toString(),
                "AllowInsecureFallback".equals(validation.getMode()));
    }

    private static FrontendTLSValidation validationFor(GatewayTLSConfig tls, int port) {
        if (tls == null || tls.getFrontend() == null) {
            return null;
        }
        if (tls.getFrontend().getPerPort() != null) {
            for (TLSPortConfig p : tls.getFrontend().getPerPort()) {
                if (p.getPort() != null && p.getPort() == port) {
                    return p.getTls() == null ? null : p.getTls().getValidation();
                }
            }
        }
        TLSConfig fallback = tls.getFrontend().getDefault();
        return fallback == null ? null : fallback.getValidation();
    }

    private static String fromConfigMap(ConfigMap c) {
        return c == null || c.getData() == null ? null : c.getData().get(CA_KEY);
    }

    /** data is base64 (as the API stores it); stringData is plain text, as kubectl would merge it. */
    private static String fromSecret(Secret s) {
        if (s == null) {
            return null;
        }
        Map<String, String> data = s.getData();
        if (data != null && data.get(CA_KEY) != null) {
            try {
                return new String(Base64.getMimeDecoder().decode(data.get(CA_KEY)), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return "";
            }
        }
        return s.getStringData() == null ? null : s.getStringData().get(CA_KEY);
    }

    /** @return why the PEM is no CA bundle, or {@code null} */
    private static String problemOf(String pem) {
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            return CA_KEY + " holds no PEM certificate";
        }
        try {
            Collection<? extends java.security.cert.Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            for (java.security.cert.Certificate c : certs) {
                if (c instanceof X509Certificate x && x.getBasicConstraints() < 0 && !selfSigned(x)) {
                    return "certificate " + x.getSubjectX500Principal().getName() + " is not a CA certificate";
                }
            }
            return certs.isEmpty() ? CA_KEY + " holds no PEM certificate" : null;
        } catch (CertificateException e) {
            return CA_KEY + " is not valid PEM: " + e.getMessage();
        }
    }

    /** A self-signed leaf may be trusted directly (pinning one client certificate), as OpenSSL allows. */
    private static boolean selfSigned(X509Certificate x) {
        return x.getSubjectX500Principal().equals(x.getIssuerX500Principal());
    }
}
