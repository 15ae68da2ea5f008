package dev.gatehouse.translate;

import dev.gatehouse.ir.TlsSpec;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Checks a Secret's tls.crt and tls.key the way a TLS stack will use them, so that a listener whose certificate
 * cannot be served gets {@code InvalidCertificateRef} here instead of failing in the data plane: the chain must
 * parse as X.509, the key must be one of the PEM forms openssl and cert-manager write (PKCS#8 {@code PRIVATE KEY},
 * PKCS#1 {@code RSA PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY}, read by BouncyCastle since the JDK reads PKCS#8
 * only), unencrypted, and the leaf certificate's public key must be its pair. The key is handed on as PKCS#8,
 * the one form every TLS provider reads.
 */
final class PemCertificate {
    private static final byte[] PROBE = "gatehouse key pair check".getBytes(StandardCharsets.US_ASCII);

    private PemCertificate() {
    }

    /** Thrown with a message that names the field and what is wrong with it. */
    static final class InvalidPem extends Exception {
        InvalidPem(String message) {
            super(message);
        }
    }

    /**
     * @param secret "namespace/name", for the spec and the messages
     * @return the certificate with its key re-encoded as PKCS#8 PEM
     */
    static TlsSpec.CertificateSpec read(String secret, String chainPem, String keyPem) throws InvalidPem {
        List<X509Certificate> chain = chain(chainPem);
        PrivateKey key = privateKey(keyPem);
        if (!pairs(key, chain.get(0).getPublicKey())) {
            throw new InvalidPem("tls.key is not the private key of the first certificate in tls.crt");
        }
        return new TlsSpec.CertificateSpec(secret, chainPem, pkcs8Pem(key));
    }

    private static List<X509Certificate> chain(String pem) throws InvalidPem {
        Collection<? extends Certificate> certs;
        try {
            certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException e) {
            throw new InvalidPem("tls.crt is not a PEM X.509 certificate chain: " + e.getMessage());
        }
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : certs) {
            out.add((X509Certificate) c);
        }
        if (out.isEmpty()) {
            throw new InvalidPem("tls.crt holds no certificate");
        }
        return out;
    }

    private static PrivateKey privateKey(String pem) throws InvalidPem {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            // `openssl ecparam -genkey` writes an EC PARAMETERS block before the key: skip what is not a key
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new InvalidPem("tls.key is encrypted; a Secret must hold an unencrypted key");
                }
            }
        } catch (PEMException e) {
            throw new InvalidPem("tls.key cannot be read: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw new InvalidPem("tls.key is not valid PEM: " + e.getMessage());
        }
        throw new InvalidPem("tls.key holds no private key (expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    /** Signs and verifies a probe: works for every key type without comparing algorithm-specific fields. */
    private static boolean pairs(PrivateKey key, PublicKey pub) throws InvalidPem {
        if (!key.getAlgorithm().equals(pub.getAlgorithm())
                && !(key.getAlgorithm().startsWith("EC") && pub.getAlgorithm().startsWith("EC"))) {
            return false;
        }
        String algorithm = switch (pub.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> pub.getAlgorithm();
            default -> throw new InvalidPem("tls.key: unsupported key algorithm " + pub.getAlgorithm()
                    + " (RSA, EC and Ed25519 are)");
        };
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(PROBE);
            byte[] signature = s.sign();
            s.initVerify(pub);
            s.update(PROBE);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String pkcs8Pem(PrivateKey key) throws InvalidPem {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new PemObject("PRIVATE KEY", key.getEncoded()));
        } catch (IOException e) {
            throw new InvalidPem("tls.key cannot be re-encoded as PKCS#8: " + e.getMessage());
        }
        return out.toString();
    }
}
