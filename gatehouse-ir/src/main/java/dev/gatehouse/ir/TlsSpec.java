package dev.gatehouse.ir;

import java.util.List;

/**
 * Certificates a listener terminates TLS with.
 *
 * @param clientValidation how client certificates are validated (HTTPS only), or {@code null} when none is asked for
 */
public record TlsSpec(List<CertificateSpec> certificates, ClientValidationSpec clientValidation) {
    public TlsSpec {
        certificates = List.copyOf(certificates);
    }

    /** A listener that asks for no client certificate. */
    public TlsSpec(List<CertificateSpec> certificates) {
        this(certificates, null);
    }

    /**
     * @param secret "namespace/name" of the Secret it came from
     * @param certificateChainPem PEM text of tls.crt
     * @param privateKeyPem PEM text of tls.key (printed redacted)
     */
    public record CertificateSpec(String secret, String certificateChainPem, String privateKeyPem) {
        @Override
        public String toString() {
            return "CertificateSpec[secret=" + secret + "]";
        }
    }
}
