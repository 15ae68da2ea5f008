package dev.gatehouse.routing.tls;

import dev.gatehouse.ir.UpstreamTlsSpec;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The chain check of the delegate, then a BackendTLSPolicy's {@code subjectAltNames}: the backend's certificate must
 * carry at least one of them (a DNS name, where the certificate's "*." covers one label, or an exact URI such as a
 * SPIFFE id). Only for backends: client certificates are not ours to check here.
 */
final class SubjectAltNameTrustManager extends X509ExtendedTrustManager {
    private static final int DNS = 2;
    private static final int URI = 6;

    private final X509ExtendedTrustManager delegate;
    private final List<UpstreamTlsSpec.SubjectAltName> wanted;

    SubjectAltNameTrustManager(X509ExtendedTrustManager delegate, List<UpstreamTlsSpec.SubjectAltName> wanted) {
        this.delegate = delegate;
        this.wanted = List.copyOf(wanted);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, engine);
        check(chain[0]);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, socket);
        check(chain[0]);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
        check(chain[0]);
    }

    void check(X509Certificate leaf) throws CertificateException {
        List<String> present = new ArrayList<>();
        Collection<List<?>> sans;
        try {
            sans = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new CertificateException("the backend certificate's subjectAltNames cannot be read: " + e.getMessage());
        }
        for (List<?> san : sans == null ? List.<List<?>>of() : sans) {
            if (!(san.get(1) instanceof String value)) {
                continue;
            }
            int type = (Integer) san.get(0);
            for (UpstreamTlsSpec.SubjectAltName w : wanted) {
                if (type == DNS && w.type() == UpstreamTlsSpec.SubjectAltName.Type.HOSTNAME && dnsMatches(value, w.value())
                        || type == URI && w.type() == UpstreamTlsSpec.SubjectAltName.Type.URI && value.equals(w.value())) {
                    return;
                }
            }
            if (type == DNS || type == URI) {
                present.add(value);
            }
        }
        throw new CertificateException("the backend certificate has none of the subjectAltNames "
                + wanted.stream().map(UpstreamTlsSpec.SubjectAltName::value).toList() + " (it has " + present + ")");
    }

    /** RFC 6125: a "*" is the whole left-most label of the certificate's name and covers exactly one label. */
    static boolean dnsMatches(String certificateName, String name) {
        String c = certificateName.toLowerCase(Locale.ROOT);
        String n = name.toLowerCase(Locale.ROOT);
        if (c.startsWith("*.")) {
            int dot = n.indexOf('.');
            return dot > 0 && n.substring(dot).equals(c.substring(1));
        }
        return c.equals(n);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
