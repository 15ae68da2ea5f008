package dev.gatehouse.proxy.http;

import dev.gatehouse.ir.ForwardClientCertSpec;
import dev.gatehouse.ir.ForwardClientCertSpec.Detail;
import dev.gatehouse.ir.ForwardClientCertSpec.Mode;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** X-Forwarded-Client-Cert per mode, as Envoy's forward_client_cert_details defines them, and the element's format. */
class ForwardedClientCertTest {
    private static final String FORGED = "Hash=00;Subject=\"CN=admin\"";

    @TempDir
    static Path dir;
    static X509Certificate alice;
    static String hash;

    @BeforeAll
    static void certificate() throws Exception {
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k.pem");
        run("openssl", "req", "-x509", "-new", "-key", "k.pem", "-subj", "/O=Example \"Q\"/CN=alice", "-days", "2",
                "-addext", "subjectAltName=URI:spiffe://example/alice,DNS:alice.example,DNS:b.example",
                "-out", "c.pem");
        alice = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(dir.resolve("c.pem"))));
        hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(alice.getEncoded()));
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    /** The headers a request from a client (that sent a forged XFCC) takes upstream. */
    private static HttpHeaders upstream(ForwardClientCertSpec spec, boolean tls, boolean verified) {
        EmbeddedChannel ch = new EmbeddedChannel();
        if (spec != null) {
            ForwardedClientCert.configure(ch, spec);
        }
        if (tls) {
            TlsSession.attach(ch, "a.test", verified ? new ClientCertificate(List.of(alice)) : null, null);
        }
        HttpHeaders h = new DefaultHttpHeaders().add("x-forwarded-client-cert", FORGED);
        ForwardedClientCert.apply(h, ch);
        ch.finishAndReleaseAll();
        return h;
    }

    private static ForwardClientCertSpec spec(Mode mode, Detail... details) {
        return new ForwardClientCertSpec(mode, List.of(details));
    }

    @Test
    void withoutAPolicyAClientsHeaderNeverPasses() {
        assertThat(upstream(null, false, false).contains("x-forwarded-client-cert")).isFalse();
        assertThat(upstream(null, true, true).contains("x-forwarded-client-cert")).isFalse();
    }

    @Test
    void eachModeOverMutualTlsAndWithout() {
        String element = "Hash=" + hash;
        assertThat(upstream(spec(Mode.SANITIZE), true, true).get("x-forwarded-client-cert")).isNull();
        assertThat(upstream(spec(Mode.FORWARD_ONLY), true, true).get("x-forwarded-client-cert")).isEqualTo(FORGED);
        assertThat(upstream(spec(Mode.FORWARD_ONLY), true, false).get("x-forwarded-client-cert")).isNull();
        assertThat(upstream(spec(Mode.APPEND_FORWARD), true, true).get("x-forwarded-client-cert"))
                .isEqualTo(FORGED + "," + element);
        assertThat(upstream(spec(Mode.APPEND_FORWARD), false, false).get("x-forwarded-client-cert")).isNull();
        assertThat(upstream(spec(Mode.SANITIZE_SET), true, true).get("x-forwarded-client-cert")).isEqualTo(element);
        assertThat(upstream(spec(Mode.SANITIZE_SET), true, false).get("x-forwarded-client-cert")).isNull();
        assertThat(upstream(spec(Mode.ALWAYS_FORWARD_ONLY), false, false).get("x-forwarded-client-cert"))
                .isEqualTo(FORGED);
    }

    @Test
    void theElementInEnvoysFormat() {
        String value = upstream(spec(Mode.SANITIZE_SET, Detail.CERT, Detail.SUBJECT, Detail.URI, Detail.DNS), true, true)
                .get("x-forwarded-client-cert");
        assertThat(value).startsWith("Hash=" + hash + ";Cert=\"-----BEGIN%20CERTIFICATE-----%0A")
                .contains("-----END%20CERTIFICATE-----%0A\";")
                .endsWith(";Subject=\"CN=alice,O=Example \\\\\\\"Q\\\\\\\"\";URI=spiffe://example/alice;"
                        + "DNS=alice.example;DNS=b.example");
        assertThat(value.substring(value.indexOf("Cert=\"") + 6, value.indexOf("\";Subject"))).matches("[A-Za-z0-9%._~-]+");
    }
}
