package dev.gatehouse.routing.tls;

import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.ClientValidationSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.TlsSpec.CertificateSpec;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProtocols;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The certificates of one HTTPS port, chosen per connection by SNI with Netty's {@code SniHandler}.
 *
 * <p>A listener's hostname selects its certificate, as it selects its routes: the listeners are taken most
 * specific first and each hostname maps to the listener's certificate that covers it (its first otherwise).
 * When a listener has several certificates, each certificate's DNS names inside the listener's hostname map to
 * that certificate, unless a more specific listener claims the name. Exact names win over wildcards (Netty's
 * mapping looks the exact name up first; a wildcard covers one label, as in certificates). A client without
 * SNI, or with a name no listener takes, gets the hostname-less listener's certificate, else the most specific
 * listener's.
 *
 * <p>Built on the control thread; a certificate the provider refuses leaves its listener out of the mapping
 * and is reported by {@link #failures()}, the other listeners are served.
 */
public final class PortCertificates {
    private final Mapping<String, SslContext> byServerName;
    private final Map<ContextKey, SslContext> contexts;
    private final Map<String, String> failures;
    private final Map<SslContext, ClientCertificateCheck> clientChecks;

    private PortCertificates(Mapping<String, SslContext> byServerName, Map<ContextKey, SslContext> contexts,
                             Map<String, String> failures, Map<SslContext, ClientCertificateCheck> clientChecks) {
        this.byServerName = byServerName;
        this.contexts = Map.copyOf(contexts);
        this.failures = Map.copyOf(failures);
        this.clientChecks = clientChecks;
    }

    /**
     * What a context was built from: the certificate, and the client validation of the listener that serves it
     * (the same Secret on a listener with and one without validation needs two contexts).
     */
    public record ContextKey(CertificateSpec certificate, ClientValidationSpec clientValidation) { }

    /** A context's client-certificate check, or {@code null} when its listener asks for no client certificate. */
    public ClientCertificateCheck clientCheck(SslContext context) {
        return clientChecks.get(context);
    }

    /**
     * Whether a request for {@code host} may be served on a connection whose handshake made the demand
     * {@code handshakeCheck}: the same demand a handshake with {@code host} as its server name would have made.
     * Without it a client could handshake where no certificate is asked (no SNI, or another Gateway's name on the
     * port) and then name a host whose listener requires one.
     */
    public boolean sameClientDemand(ClientCertificateCheck handshakeCheck, String host) {
        return clientChecks.isEmpty() || byServerName == null
                || ClientCertificateCheck.sameDemand(clientChecks.get(byServerName.map(host)), handshakeCheck);
    }

    /**
     * For the {@code SniHandler}: server name (or {@code null}) to the context to handshake with; {@code null}
     * when no listener of the port has a usable certificate (connections are closed, never served in cleartext).
     */
    public Mapping<String, SslContext> byServerName() {
        return byServerName;
    }

    /** Every context of the port by what it was built from, so an unchanged Secret keeps its context. */
    public Map<ContextKey, SslContext> contexts() {
        return contexts;
    }

    /** "gateway namespace/name/listener" to why its certificate could not be used. */
    public Map<String, String> failures() {
        return failures;
    }

    /**
     * @param reuse contexts of the previous snapshot by certificate (an unchanged Secret is not rebuilt)
     */
    public static PortCertificates compile(PortSpec port, Map<ContextKey, SslContext> reuse) {
        Map<ContextKey, SslContext> contexts = new LinkedHashMap<>();
        Map<SslContext, ClientCertificateCheck> checks = new IdentityHashMap<>();
        Map<String, String> failures = new LinkedHashMap<>();
        Map<String, SslContext> names = new LinkedHashMap<>();
        List<String> claimed = new ArrayList<>();
        SslContext hostless = null;
        SslContext first = null;
        for (ListenerSpec listener : port.listeners()) {
            if (listener.tls() == null) {
                continue;
            }
            List<Served> certs = new ArrayList<>();
            ClientValidationSpec validation = listener.tls().clientValidation();
            ClientCertificateCheck check;
            try {
                check = validation == null ? null : ClientCertificateCheck.compile(validation);
            } catch (Exception e) {
                failures.put(listener.gateway() + "/" + listener.name(),
                        "client validation " + validation.caSources() + " cannot be used: " + e.getMessage());
                continue; // never serve without the validation the listener asked for
            }
            for (CertificateSpec spec : listener.tls().certificates()) {
                try {
                    ContextKey key = new ContextKey(spec, validation);
                    SslContext ctx = contexts.get(key);
                    if (ctx == null) {
                        ctx = reuse.containsKey(key) ? reuse.get(key) : build(spec, check);
                        contexts.put(key, ctx);
                    }
                    if (check != null) {
                        checks.putIfAbsent(ctx, check);
                    }
                    certs.add(new Served(ctx, dnsNames(spec)));
                } catch (Exception e) {
                    failures.put(listener.gateway() + "/" + listener.name(),
                            "Secret " + spec.secret() + " cannot be used for TLS: " + e.getMessage());
                }
            }
            if (certs.isEmpty()) {
                continue;
            }
            String host = listener.hostname();
            if (first == null) {
                first = certs.get(0).ctx;
            }
            if (host == null) {
                hostless = hostless == null ? certs.get(0).ctx : hostless;
            } else {
                names.putIfAbsent(host, covering(certs, host).ctx);
            }
            if (certs.size() > 1) {
                for (Served s : certs) {
                    for (String name : s.names) {
                        if ((host == null || within(name, host)) && claimed.stream().noneMatch(c -> within(name, c))) {
                            names.putIfAbsent(name, s.ctx);
                        }
                    }
                }
            }
            if (host != null) {
                claimed.add(host);
            }
        }
        if (first == null) {
            return new PortCertificates(null, contexts, failures, checks);
        }
        DomainWildcardMappingBuilder<SslContext> mapping =
                new DomainWildcardMappingBuilder<>(names.size() + 1, hostless != null ? hostless : first);
        names.forEach(mapping::add);
        return new PortCertificates(mapping.build(), contexts, failures, checks);
    }

    private record Served(SslContext ctx, List<String> names) { }

    private static Served covering(List<Served> certs, String host) {
        for (Served s : certs) {
            for (String name : s.names) {
                if (within(host, name)) {
                    return s;
                }
            }
        }
        return certs.get(0);
    }

    /** Whether every name {@code name} stands for is also covered by {@code pattern} ("*." covers one label or more). */
    static boolean within(String name, String pattern) {
        if (name.equals(pattern)) {
            return true;
        }
        if (!pattern.startsWith("*.")) {
            return false;
        }
        String suffix = pattern.substring(1);
        String n = name.startsWith("*.") ? name.substring(2) : name;
        return n.endsWith(suffix) && n.length() > suffix.length();
    }

    /** The modern set: TLS 1.3 and 1.2 with ECDHE and AEAD ciphers only (RFC 9113 9.2.2's list); ALPN h2 first. */
    static SslContext build(CertificateSpec spec) throws Exception {
        return build(spec, null);
    }

    /**
     * @param clientCheck the listener's client validation: AllowValidOnly requires a certificate the handshake
     *                    verifies (else a TLS alert), AllowInsecureFallback asks for one and lets the check decide
     */
    static SslContext build(CertificateSpec spec, ClientCertificateCheck clientCheck) throws Exception {
        SslContextBuilder builder = modern(spec);
        if (clientCheck != null) {
            builder.trustManager(clientCheck.handshakeTrustManager())
                    .clientAuth(clientCheck.fallback() ? ClientAuth.OPTIONAL : ClientAuth.REQUIRE);
        }
        return builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

    /**
     * For a TLS listener that terminates and relays bytes (TLSRoute, {@code mode: Terminate}): the same protocols
     * and ciphers, no ALPN, since the gateway does not know what the backend speaks.
     */
    public static SslContext buildWithoutAlpn(CertificateSpec spec) throws Exception {
        return modern(spec).build();
    }

    private static SslContextBuilder modern(CertificateSpec spec) throws Exception {
        return SslContextBuilder.forServer(stream(spec.certificateChainPem()), stream(spec.privateKeyPem()))
                .sslProvider(TlsProvider.provider())
                .protocols(SslProtocols.TLS_v1_3, SslProtocols.TLS_v1_2)
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
    }

    private static InputStream stream(String pem) {
        return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
    }

    /** The leaf's DNS subjectAltNames, lower case, that a mapping can hold ("*" alone and IPs are left out). */
    private static List<String> dnsNames(CertificateSpec spec) throws CertificateException {
        X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(stream(spec.certificateChainPem()));
        List<String> out = new ArrayList<>();
        Collection<List<?>> sans;
        try {
            sans = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return out;
        }
        if (sans == null) {
            return out;
        }
        for (List<?> san : sans) {
            if (Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String name) {
                String n = name.toLowerCase(Locale.ROOT);
                if (mappable(n)) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** A DNS name, or "*." and one: what Netty's wildcard mapping accepts and a client can send as SNI. */
    private static boolean mappable(String name) {
        String n = name.startsWith("*.") ? name.substring(2) : name;
        if (n.isEmpty() || n.startsWith(".") || n.endsWith(".") || n.contains("..")) {
            return false;
        }
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }
}
