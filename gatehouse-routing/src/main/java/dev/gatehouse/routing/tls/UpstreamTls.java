package dev.gatehouse.routing.tls;

import dev.gatehouse.ir.UpstreamTlsSpec;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProtocols;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;

/**
 * One TLS identity towards backends (a BackendTLSPolicy's trust, names and the Gateway's client certificate),
 * compiled once on the control thread: the client {@link SslContext} is shared by every connection of every
 * cluster with an equal {@link UpstreamTlsSpec}, and upstream connections are pooled per identity. HTTP/2 backends
 * get a second context of the same identity whose ALPN offers only "h2" (HTTP/1.1 ones offer no ALPN at all).
 *
 * <p>Verification: the chain must end in the policy's CA certificates (or the JDK's trust store for
 * {@code wellKnownCACertificates: System}); then the certificate must carry {@code hostname} (the JDK's HTTPS
 * endpoint identification, which is also what puts it in SNI), or, when {@code subjectAltNames} are given, one of
 * those instead, as the spec says ({@link SubjectAltNameTrustManager}).
 */
public final class UpstreamTls {
    /** A backend that accepts the connection but never finishes the handshake must not hold a request forever. */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /** Offers h2 only; ACCEPT because the connection checks the outcome itself and answers 502 naming it. */
    private static final ApplicationProtocolConfig H2_ONLY = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN, ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2);

    private final UpstreamTlsSpec spec;
    private final SslContext context;
    private final SslContext h2Context;
    /** the spec's, computed once: a pool lookup must not hash PEM text per request */
    private final int hash;

    private UpstreamTls(UpstreamTlsSpec spec, SslContext context, SslContext h2Context) {
        this.spec = spec;
        this.context = context;
        this.h2Context = h2Context;
        this.hash = spec.hashCode();
    }

    /** @throws IllegalArgumentException naming the policy when the provider refuses the trust or the client key */
    public static UpstreamTls compile(UpstreamTlsSpec spec) {
        try {
            X509ExtendedTrustManager trust = trustManager(spec);
            boolean bySubjectAltNames = !spec.subjectAltNames().isEmpty();
            SslContextBuilder builder = SslContextBuilder.forClient()
                    .sslProvider(TlsProvider.provider())
                    .protocols(SslProtocols.TLS_v1_3, SslProtocols.TLS_v1_2)
                    .trustManager(bySubjectAltNames ? new SubjectAltNameTrustManager(trust, spec.subjectAltNames()) : trust)
                    // with subjectAltNames, the hostname selects the certificate (SNI) but must not authenticate it
                    .endpointIdentificationAlgorithm(bySubjectAltNames ? null : "HTTPS");
            if (spec.clientCertificate() != null) {
                builder.keyManager(stream(spec.clientCertificate().certificateChainPem()),
                        stream(spec.clientCertificate().privateKeyPem()));
            }
            SslContext http1 = builder.build();
            return new UpstreamTls(spec, http1, builder.applicationProtocolConfig(H2_ONLY).build());
        } catch (Exception e) {
            throw new IllegalArgumentException("BackendTLSPolicy " + spec.policy() + ": cannot build the TLS client: "
                    + e.getMessage(), e);
        }
    }

    private static X509ExtendedTrustManager trustManager(UpstreamTlsSpec spec) throws Exception {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (spec.trustedCas().isEmpty()) {
            factory.init((KeyStore) null); // the JDK's cacerts
        } else {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            int n = 0;
            for (UpstreamTlsSpec.TrustedCa ca : spec.trustedCas()) {
                for (Certificate c : x509.generateCertificates(stream(ca.pem()))) {
                    store.setCertificateEntry("ca-" + n++, c);
                }
            }
            factory.init(store);
        }
        for (var tm : factory.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new IllegalStateException("no X509ExtendedTrustManager from " + factory.getAlgorithm());
    }

    private static InputStream stream(String pem) {
        return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
    }

    public UpstreamTlsSpec spec() {
        return spec;
    }

    /** A handler for one connection: SNI and the verified name are the policy's hostname, never the address. */
    public SslHandler newHandler(ByteBufAllocator alloc, InetSocketAddress endpoint) {
        return handler(context, alloc, endpoint);
    }

    /** As {@link #newHandler}, offering "h2" by ALPN: the caller checks {@link SslHandler#applicationProtocol()}. */
    public SslHandler newH2Handler(ByteBufAllocator alloc, InetSocketAddress endpoint) {
        return handler(h2Context, alloc, endpoint);
    }

    private SslHandler handler(SslContext ctx, ByteBufAllocator alloc, InetSocketAddress endpoint) {
        SslHandler handler = ctx.newHandler(alloc, spec.serverName(), endpoint.getPort());
        handler.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT.toMillis());
        return handler;
    }

    /**
     * Equal by spec, so it can key connection pools: one instance per identity is shared by a snapshot's clusters
     * and kept across snapshots, so the comparison is nearly always the identity check.
     */
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof UpstreamTls t && hash == t.hash && spec.equals(t.spec);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "UpstreamTls[" + spec.policy() + ", " + spec.serverName() + "]";
    }
}
