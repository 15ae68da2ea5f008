package dev.gatehouse.translate;

import dev.gatehouse.ir.TlsSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keys in every PEM form openssl writes, made by the openssl CLI, as a Secret would carry them. */
class PemCertificateTest {
    @TempDir
    Path dir;

    @Test
    void pkcs1RsaKeyIsReadAndHandedOnAsPkcs8() throws Exception {
        openssl("genrsa", "-traditional", "-out", "key.pem", "2048");
        assertThat(read("key.pem")).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertReadsAsPkcs8("RSA");
    }

    @Test
    void pkcs8RsaKeyIsRead() throws Exception {
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "key.pem");
        assertThat(read("key.pem")).startsWith("-----BEGIN PRIVATE KEY-----");
        assertReadsAsPkcs8("RSA");
    }

    @Test
    void sec1EcKeyWithItsParametersBlockIsRead() throws Exception {
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", "key.pem");
        assertThat(read("key.pem")).contains("-----BEGIN EC PARAMETERS-----", "-----BEGIN EC PRIVATE KEY-----");
        assertReadsAsPkcs8("EC");
    }

    @Test
    void pkcs8EcKeyIsRead() throws Exception {
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "key.pem");
        assertReadsAsPkcs8("EC");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() throws Exception {
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "key.pem");
        selfSigned("key.pem", "cert.pem");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "other.pem");
        assertThatThrownBy(() -> PemCertificate.read("ns/s", read("cert.pem"), read("other.pem")))
                .hasMessage("tls.key is not the private key of the first certificate in tls.crt");
    }

    @Test
    void anEncryptedKeyIsRefusedWithTheReason() throws Exception {
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "key.pem");
        selfSigned("key.pem", "cert.pem");
        openssl("pkey", "-in", "key.pem", "-aes256", "-passout", "pass:secret", "-out", "enc.pem");
        assertThatThrownBy(() -> PemCertificate.read("ns/s", read("cert.pem"), read("enc.pem")))
                .hasMessageContaining("tls.key is encrypted");
    }

    @Test
    void garbageIsRefusedNamingTheField() {
        assertThatThrownBy(() -> PemCertificate.read("ns/s", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
                .hasMessageStartingWith("tls.crt ");
    }

    private void assertReadsAsPkcs8(String algorithm) throws Exception {
        selfSigned("key.pem", "cert.pem");
        TlsSpec.CertificateSpec spec = PemCertificate.read("ns/s", read("cert.pem"), read("key.pem"));
        assertThat(spec.secret()).isEqualTo("ns/s");
        assertThat(spec.certificateChainPem()).isEqualTo(read("cert.pem"));
        String pem = spec.privateKeyPem();
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        // what the JDK (and Netty's JDK and OpenSSL providers) read without BouncyCastle
        assertThat(KeyFactory.getInstance(algorithm)
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64))).getAlgorithm())
                .isEqualTo(algorithm);
        assertThat(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).isNotEmpty();
    }

    private void selfSigned(String key, String cert) throws Exception {
        openssl("req", "-x509", "-new", "-key", key, "-subj", "/CN=example.com", "-days", "2", "-out", cert);
    }

    private String read(String name) throws Exception {
        return Files.readString(dir.resolve(name));
    }

    private void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
