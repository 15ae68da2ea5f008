package dev.gatehouse.routing.tls;

import dev.gatehouse.ir.ClientValidationSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.TlsSpec;
import dev.gatehouse.ir.TlsSpec.CertificateSpec;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The SNI mapping of one port, from certificates in src/test/resources/tls (see the README there). */
class PortCertificatesTest {
    static final CertificateSpec EXACT = cert("exact");
    static final CertificateSpec WILDCARD = cert("wildcard");
    static final CertificateSpec FALLBACK = cert("fallback");
    static final CertificateSpec X = cert("x");
    static final CertificateSpec Y = cert("y");

    @Test
    void exactNamesWinOverWildcardsAndTheHostnameLessListenerIsTheDefault() {
        PortCertificates port = PortCertificates.compile(port(
                listener("exact", "a.example.com", EXACT),
                listener("wild", "*.example.com", WILDCARD),
                listener("any", null, FALLBACK)), Map.of());
        assertThat(port.failures()).isEmpty();
        assertThat(port.byServerName().map("a.example.com")).isSameAs(port.contexts().get(key(EXACT)));
        assertThat(port.byServerName().map("A.Example.COM")).isSameAs(port.contexts().get(key(EXACT)));
        assertThat(port.byServerName().map("b.example.com")).isSameAs(port.contexts().get(key(WILDCARD)));
        assertThat(port.byServerName().map("other.test")).isSameAs(port.contexts().get(key(FALLBACK)));
        assertThat(port.byServerName().map(null)).isSameAs(port.contexts().get(key(FALLBACK)));
    }

    @Test
    void withoutAHostnameLessListenerTheMostSpecificListenerIsTheDefault() {
        PortCertificates port = PortCertificates.compile(port(
                listener("exact", "a.example.com", EXACT),
                listener("wild", "*.example.com", WILDCARD)), Map.of());
        assertThat(port.byServerName().map(null)).isSameAs(port.contexts().get(key(EXACT)));
    }

    @Test
    void severalCertificatesOfOneListenerAreChosenByTheirNames() {
        PortCertificates port = PortCertificates.compile(port(
                listener("exact", "x.test", EXACT),
                listener("any", null, X, Y)), Map.of());
        // x.test is claimed by a more specific listener: the hostname-less listener's X must not take it
        assertThat(port.byServerName().map("x.test")).isSameAs(port.contexts().get(key(EXACT)));
        assertThat(port.byServerName().map("y.test")).isSameAs(port.contexts().get(key(Y)));
        assertThat(port.byServerName().map(null)).isSameAs(port.contexts().get(key(X)));
    }

    @Test
    void anUnchangedCertificateKeepsItsContextAndAChangedOneGetsANewOne() {
        PortCertificates first = PortCertificates.compile(port(listener("any", null, X)), Map.of());
        PortCertificates same = PortCertificates.compile(port(listener("any", null, X)), first.contexts());
        assertThat(same.byServerName().map(null)).isSameAs(first.byServerName().map(null));
        PortCertificates rotated = PortCertificates.compile(port(listener("any", null, Y)), first.contexts());
        assertThat(rotated.byServerName().map(null)).isNotSameAs(first.byServerName().map(null))
                .isSameAs(rotated.contexts().get(key(Y)));
    }

    @Test
    void aKeyTheProviderRefusesFailsItsListenerOnly() {
        CertificateSpec broken = new CertificateSpec("default/broken", X.certificateChainPem(),
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        PortCertificates port = PortCertificates.compile(port(
                listener("bad", "a.example.com", broken),
                listener("any", null, FALLBACK)), Map.of());
        assertThat(port.failures()).containsOnlyKeys("default/gw/bad");
        assertThat(port.failures().get("default/gw/bad")).startsWith("Secret default/broken cannot be used for TLS: ");
        assertThat(port.byServerName().map("a.example.com")).isSameAs(port.contexts().get(key(FALLBACK)));

        PortCertificates nothing = PortCertificates.compile(port(listener("bad", null, broken)), Map.of());
        assertThat(nothing.byServerName()).isNull();
        assertThat(nothing.failures()).containsOnlyKeys("default/gw/bad");
    }

    @Test
    void aWildcardCoversNamesBelowIt() {
        assertThat(PortCertificates.within("a.example.com", "*.example.com")).isTrue();
        assertThat(PortCertificates.within("a.b.example.com", "*.example.com")).isTrue();
        assertThat(PortCertificates.within("*.b.example.com", "*.example.com")).isTrue();
        assertThat(PortCertificates.within("example.com", "*.example.com")).isFalse();
        assertThat(PortCertificates.within("a.example.org", "*.example.com")).isFalse();
        assertThat(PortCertificates.within("a.example.com", "a.example.com")).isTrue();
    }

    @Test
    void aListenerThatValidatesClientsGetsContextsOfItsOwnWithTheirCheck() {
        ClientValidationSpec strict = new ClientValidationSpec(List.of("ConfigMap default/ca"),
                resource("fallback.crt"), false);
        ClientValidationSpec lenient = new ClientValidationSpec(List.of("ConfigMap default/ca"),
                resource("fallback.crt"), true);
        PortCertificates port = PortCertificates.compile(port(
                new ListenerSpec("default/gw", "mtls", "a.example.com", new TlsSpec(List.of(EXACT), strict), List.of()),
                new ListenerSpec("default/gw", "soft", "b.example.com", new TlsSpec(List.of(EXACT), lenient), List.of()),
                listener("open", null, EXACT)), Map.of());
        SslContext mtls = port.byServerName().map("a.example.com");
        SslContext soft = port.byServerName().map("b.example.com");
        SslContext open = port.byServerName().map("c.example.com");
        assertThat(Set.of(mtls, soft, open)).hasSize(3); // one Secret, three client policies
        assertThat(port.clientCheck(mtls).fallback()).isFalse();
        assertThat(port.clientCheck(soft).fallback()).isTrue();
        assertThat(port.clientCheck(open)).isNull();
        assertThat(port.clientCheck(soft).verified(List.of())).isFalse();
        PortCertificates again = PortCertificates.compile(port(
                new ListenerSpec("default/gw", "mtls", "a.example.com", new TlsSpec(List.of(EXACT), strict), List.of())),
                port.contexts());
        assertThat(again.byServerName().map("a.example.com")).isSameAs(mtls);
    }

    private static PortCertificates.ContextKey key(CertificateSpec cert) {
        return new PortCertificates.ContextKey(cert, null);
    }

    private static PortSpec port(ListenerSpec... listeners) {
        return new PortSpec(8443, Protocol.HTTPS, Arrays.asList(listeners));
    }

    private static ListenerSpec listener(String name, String hostname, CertificateSpec... certs) {
        return new ListenerSpec("default/gw", name, hostname, new TlsSpec(List.of(certs)), List.of());
    }

    private static CertificateSpec cert(String name) {
        return new CertificateSpec("default/" + name, resource(name + ".crt"), resource(name + ".key"));
    }

    private static String resource(String name) {
        try (var in = PortCertificatesTest.class.getResourceAsStream("/tls/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
