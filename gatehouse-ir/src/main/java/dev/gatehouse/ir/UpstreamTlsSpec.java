package dev.gatehouse.ir;

import java.util.List;

/**
 * How the gateway speaks TLS to a backend (a BackendTLSPolicy, with the client certificate of the Gateway the
 * traffic comes through). Equal specs are one TLS identity: they share an SslContext and upstream connections.
 *
 * @param policy "namespace/name" of the BackendTLSPolicy
 * @param serverName sent as SNI; also the name the certificate must carry when {@code subjectAltNames} is empty
 * @param trustedCas CA certificates the backend's chain must end in; empty means the JDK's system trust store
 * @param subjectAltNames when not empty, the certificate must carry one of them (and {@code serverName} is not checked)
 * @param clientCertificate presented to backends that ask for one (the Gateway's
 *                          {@code spec.tls.backend.clientCertificateRef}), or {@code null}
 */
public record UpstreamTlsSpec(String policy, String serverName, List<TrustedCa> trustedCas,
                              List<SubjectAltName> subjectAltNames, TlsSpec.CertificateSpec clientCertificate) {
    public UpstreamTlsSpec {
        trustedCas = List.copyOf(trustedCas);
        subjectAltNames = List.copyOf(subjectAltNames);
    }

    public UpstreamTlsSpec withClientCertificate(TlsSpec.CertificateSpec certificate) {
        return new UpstreamTlsSpec(policy, serverName, trustedCas, subjectAltNames, certificate);
    }

    /**
     * @param source where the PEM came from ("ConfigMap namespace/name"), the only part printed
     * @param pem one or more PEM certificates
     */
    public record TrustedCa(String source, String pem) { }

    /** @param value a DNS name (a leading "*." covers one label) or a full URI, by {@code type} */
    public record SubjectAltName(Type type, String value) {
        public enum Type { HOSTNAME, URI }
    }
}
