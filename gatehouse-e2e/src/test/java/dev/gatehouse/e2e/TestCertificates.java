package dev.gatehouse.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Self-signed certificates made by the openssl CLI, with the key in the PEM form a user's tool would write. */
final class TestCertificates {
    private TestCertificates() {
    }

    enum KeyForm {
        /** {@code openssl genrsa -traditional}: "RSA PRIVATE KEY" */
        PKCS1_RSA("genrsa", "-traditional", "-out", "%s", "2048"),
        /** {@code openssl genpkey}: "PRIVATE KEY" */
        PKCS8_RSA("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "%s"),
        /** {@code openssl ecparam -genkey}: "EC PARAMETERS" then "EC PRIVATE KEY" */
        SEC1_EC("ecparam", "-name", "prime256v1", "-genkey", "-out", "%s");

        private final String[] args;

        KeyForm(String... args) {
            this.args = args;
        }
    }

    /** @param crt the certificate file (a client's trust anchor for it) */
    record Pem(String name, Path crt, String crtPem, String keyPem) {
        /** A kubernetes.io/tls Secret "name" in namespace default, as YAML with a leading document separator. */
        String secret() {
            return secret(keyPem);
        }

        /** The same Secret with another tls.key (a broken or mismatched one). */
        String secret(String key) {
            return """
                    ---
                    apiVersion: v1
                    kind: Secret
                    metadata: {name: %s, namespace: default}
                    type: kubernetes.io/tls
                    data:
                      tls.crt: %s
                      tls.key: %s
                    """.formatted(name, b64(crtPem), b64(key));
        }
    }

    /**
     * @param name file prefix, Secret name and CN
     * @param subjectAltNames e.g. "DNS:shop.example.com", "IP:127.0.0.1"
     */
    static Pem create(Path dir, String name, KeyForm form, String... subjectAltNames) throws Exception {
        Path key = dir.resolve(name + ".key");
        Path crt = dir.resolve(name + ".crt");
        List<String> keyArgs = new ArrayList<>();
        for (String a : form.args) {
            keyArgs.add(a.equals("%s") ? key.toString() : a);
        }
        openssl(keyArgs);
        openssl(List.of("req", "-x509", "-new", "-key", key.toString(), "-subj", "/CN=" + name, "-days", "2",
                "-addext", "subjectAltName=" + String.join(",", subjectAltNames), "-out", crt.toString()));
        return new Pem(name, crt, Files.readString(crt), Files.readString(key));
    }

    /** A test CA "name" ({@code name.crt}, {@code name.key} in dir): basicConstraints CA, keyCertSign. */
    static Path authority(Path dir, String name) throws Exception {
        Path crt = dir.resolve(name + ".crt");
        openssl(List.of("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", dir.resolve(name + ".key").toString(), "-out", crt.toString(), "-days", "2",
                "-subj", "/CN=" + name, "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign"));
        return crt;
    }

    /** A certificate for CN "name" with these subjectAltNames, signed by the CA whose certificate is {@code ca}. */
    static Path signed(Path dir, String name, Path ca, String subjectAltNames) throws Exception {
        Path csr = dir.resolve(name + ".csr");
        Path crt = dir.resolve(name + ".crt");
        Path ext = dir.resolve(name + ".ext");
        Files.writeString(ext, "subjectAltName=" + subjectAltNames + "\n");
        openssl(List.of("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", dir.resolve(name + ".key").toString(), "-out", csr.toString(), "-subj", "/CN=" + name));
        String caName = ca.getFileName().toString().replace(".crt", "");
        openssl(List.of("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey",
                dir.resolve(caName + ".key").toString(), "-CAcreateserial", "-days", "2", "-extfile", ext.toString(),
                "-out", crt.toString()));
        return crt;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** Runs openssl with stdin closed; returns stdout and stderr together. */
    static String openssl(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                Path.of("/dev/null").toFile())).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("openssl did not finish: " + cmd);
        }
        return out;
    }
}
