package dev.gatehouse.ir;

import java.util.List;

/**
 * Client-certificate validation of an HTTPS listener, from its Gateway's {@code spec.tls.frontend} ({@code perPort}
 * for the listener's port, else {@code default}).
 *
 * @param caSources the references the trust anchors came from, e.g. "ConfigMap default/client-ca" (for messages)
 * @param caCertificatesPem the PEM bundle of every valid reference, in reference order
 * @param allowInsecureFallback {@code AllowInsecureFallback}: a client without a valid certificate is served too
 *                              (only a verified one is forwarded to backends); otherwise {@code AllowValidOnly}
 */
public record ClientValidationSpec(List<String> caSources, String caCertificatesPem, boolean allowInsecureFallback) {
    public ClientValidationSpec {
        caSources = List.copyOf(caSources);
    }

    @Override
    public String toString() {
        return "ClientValidationSpec[caSources=" + caSources + ", allowInsecureFallback=" + allowInsecureFallback + "]";
    }
}
