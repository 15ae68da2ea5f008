package dev.gatehouse.ir;

import java.util.List;

/** Certificates a listener terminates TLS with. */
public record TlsSpec(List<CertificateSpec> certificates) {
    public TlsSpec {
        certificates = List.copyOf(certificates);
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
