package dev.gatehouse.routing.tls;

import dev.gatehouse.ir.UpstreamTlsSpec;
import dev.gatehouse.ir.UpstreamTlsSpec.SubjectAltName;
import org.junit.jupiter.api.Test;

import javax.net.ssl.X509ExtendedTrustManager;
import java.io.InputStream;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** leaf.crt carries DNS:*.example.com, DNS:api.example.org and URI:spiffe://cluster.local/ns/infra/sa/web. */
class SubjectAltNameTrustManagerTest {
    /** The chain check: trusts everything, or refuses everything. */
    private static final class Delegate extends X509ExtendedTrustManager {
        private final boolean refuse;

        Delegate(boolean refuse) {
            this.refuse = refuse;
        }

        private void check() throws CertificateException {
            if (refuse) {
                throw new CertificateException("untrusted chain");
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) { }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
                throws CertificateException {
            check();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) { }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check();
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    private static X509Certificate leaf() throws Exception {
        try (InputStream in = SubjectAltNameTrustManagerTest.class.getResourceAsStream("/upstream-tls/leaf.crt")) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static SubjectAltNameTrustManager wanting(SubjectAltName... names) {
        return new SubjectAltNameTrustManager(new Delegate(false), List.of(names));
    }

    private static SubjectAltName host(String name) {
        return new SubjectAltName(SubjectAltName.Type.HOSTNAME, name);
    }

    private static SubjectAltName uri(String value) {
        return new SubjectAltName(SubjectAltName.Type.URI, value);
    }

    @Test
    void aWildcardCoversExactlyOneLabel() {
        assertThat(SubjectAltNameTrustManager.dnsMatches("*.example.com", "shop.example.com")).isTrue();
        assertThat(SubjectAltNameTrustManager.dnsMatches("*.example.com", "a.shop.example.com")).isFalse();
        assertThat(SubjectAltNameTrustManager.dnsMatches("*.example.com", "example.com")).isFalse();
        assertThat(SubjectAltNameTrustManager.dnsMatches("API.example.org", "api.EXAMPLE.org")).isTrue();
    }

    @Test
    void oneMatchingNameOfEitherTypeIsEnough() throws Exception {
        X509Certificate[] chain = {leaf()};
        assertThatCode(() -> wanting(host("nope.example.net"), host("shop.example.com"))
                .checkServerTrusted(chain, "ECDHE_ECDSA")).doesNotThrowAnyException();
        assertThatCode(() -> wanting(uri("spiffe://cluster.local/ns/infra/sa/web"))
                .checkServerTrusted(chain, "ECDHE_ECDSA")).doesNotThrowAnyException();
    }

    @Test
    void aUriMustMatchExactlyAndAHostnameIsNotAUri() throws Exception {
        X509Certificate[] chain = {leaf()};
        assertThatThrownBy(() -> wanting(uri("spiffe://cluster.local/ns/infra/sa/we"), uri("api.example.org"))
                .checkServerTrusted(chain, "ECDHE_ECDSA"))
                .isInstanceOf(CertificateException.class)
                .hasMessageContaining("none of the subjectAltNames")
                .hasMessageContaining("spiffe://cluster.local/ns/infra/sa/web");
    }

    @Test
    void theChainIsCheckedFirst() throws Exception {
        X509Certificate[] chain = {leaf()};
        assertThatThrownBy(() -> new SubjectAltNameTrustManager(new Delegate(true), List.of(host("api.example.org")))
                .checkServerTrusted(chain, "ECDHE_ECDSA")).hasMessage("untrusted chain");
    }

    @Test
    void aClientContextIsBuiltForTheSystemTrustStoreAndForACaBundle() throws Exception {
        String ca;
        try (InputStream in = SubjectAltNameTrustManagerTest.class.getResourceAsStream("/upstream-tls/ca.crt")) {
            ca = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
        UpstreamTlsSpec system = new UpstreamTlsSpec("ns/a", "api.example.org", List.of(), List.of(), null);
        UpstreamTlsSpec bundle = new UpstreamTlsSpec("ns/b", "api.example.org",
                List.of(new UpstreamTlsSpec.TrustedCa("ConfigMap ns/ca", ca)), List.of(uri("spiffe://x/y")), null);
        assertThat(UpstreamTls.compile(system).spec()).isEqualTo(system);
        assertThat(UpstreamTls.compile(bundle).spec()).isEqualTo(bundle);
        assertThatThrownBy(() -> UpstreamTls.compile(new UpstreamTlsSpec("ns/c", "x", List.of(
                new UpstreamTlsSpec.TrustedCa("ConfigMap ns/bad", "-----BEGIN CERTIFICATE-----\nnope\n")), List.of(), null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("BackendTLSPolicy ns/c");
    }
}
