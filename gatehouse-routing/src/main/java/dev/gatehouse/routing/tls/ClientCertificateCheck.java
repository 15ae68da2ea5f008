package dev.gatehouse.routing.tls;

import dev.gatehouse.ir.ClientValidationSpec;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The trust anchors of a listener's client-certificate validation, compiled once per snapshot: the JDK's PKIX
 * trust manager over the CA bundle (chain, validity period, key usage and the clientAuth purpose checked).
 * {@code AllowValidOnly} hands it to the handshake, which then ends in a TLS alert for a client without a valid
 * certificate. {@code AllowInsecureFallback} hands the handshake a manager that asks for a certificate with the
 * same CA names but refuses none; {@link #verified} then decides after the handshake whether the client counts
 * as authenticated (only then is its certificate forwarded to backends).
 */
public final class ClientCertificateCheck {
    private final ClientValidationSpec spec;
    private final X509TrustManager trust;
    private final boolean fallback;

    private ClientCertificateCheck(ClientValidationSpec spec, X509TrustManager trust) {
        this.spec = spec;
        this.trust = trust;
        this.fallback = spec.allowInsecureFallback();
    }

    /**
     * Whether two checks ask the same of a client, also across snapshots (a reload compiles new checks, while open
     * connections keep the one they handshook with): same CAs, same mode.
     */
    public static boolean sameDemand(ClientCertificateCheck a, ClientCertificateCheck b) {
        return a == b || a != null && b != null && a.spec.equals(b.spec);
    }

    static ClientCertificateCheck compile(ClientValidationSpec spec) throws GeneralSecurityException, java.io.IOException {
        KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        anchors.load(null, null);
        int i = 0;
        for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(
                new ByteArrayInputStream(spec.caCertificatesPem().getBytes(StandardCharsets.US_ASCII)))) {
            anchors.setCertificateEntry("ca-" + i++, c);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(anchors);
        for (TrustManager m : factory.getTrustManagers()) {
            if (m instanceof X509TrustManager x) {
                return new ClientCertificateCheck(spec, x);
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    /** Whether a client without a valid certificate is still served ({@code AllowInsecureFallback}). */
    public boolean fallback() {
        return fallback;
    }

    /** For the SslContext: the real manager, or (fallback) one that names the CAs and refuses nothing. */
    TrustManager handshakeTrustManager() {
        return fallback ? new NamesOnly(trust) : trust;
    }

    /**
     * @param chain what the client presented, leaf first (empty when it presented nothing)
     * @return whether the chain is valid: always the handshake's verdict with {@code AllowValidOnly}, which let
     *         only valid chains through; checked here with {@code AllowInsecureFallback}
     */
    public boolean verified(List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            return false;
        }
        if (!fallback) {
            return true;
        }
        try {
            trust.checkClientTrusted(chain.toArray(X509Certificate[]::new), chain.get(0).getPublicKey().getAlgorithm());
            return true;
        } catch (CertificateException | RuntimeException e) {
            return false;
        }
    }

    /** Asks for a certificate from the validating CAs (the CertificateRequest lists them) and refuses none. */
    private static final class NamesOnly extends X509ExtendedTrustManager {
        private final X509TrustManager names;

        NamesOnly(X509TrustManager names) {
            this.names = names;
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return names.getAcceptedIssuers();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a server-side manager");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("a server-side manager");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("a server-side manager");
        }
    }
}
