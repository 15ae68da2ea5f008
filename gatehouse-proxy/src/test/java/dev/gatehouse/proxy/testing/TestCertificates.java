package dev.gatehouse.proxy.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Real certificates for TLS tests, made by the openssl command line. */
public final class TestCertificates {
    private TestCertificates() {
    }

    /**
     * Writes {@code name.pem} (a self-signed P-256 certificate for CN and DNS SAN {@code host}, its own CA) and
     * {@code name-key.pem} into {@code dir}.
     */
    public static void selfSigned(Path dir, String name, String host) throws Exception {
        openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name + "-key.pem");
        openssl(dir, "req", "-x509", "-new", "-key", name + "-key.pem", "-subj", "/CN=" + host, "-days", "2",
                "-addext", "subjectAltName=DNS:" + host, "-out", name + ".pem");
    }

    private static void openssl(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }
}
