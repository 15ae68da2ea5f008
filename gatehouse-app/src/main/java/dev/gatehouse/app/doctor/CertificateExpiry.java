package dev.gatehouse.app.doctor;

import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.ir.TlsSpec;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Listener certificates (the tls.crt of each Secret a listener terminates with) that have expired (error) or
 * expire within {@link #WARN_BEFORE} (warning). Every certificate of the chain counts: an expired intermediate
 * fails the handshake as surely as an expired leaf.
 */
final class CertificateExpiry {
    /** 30 days: enough for a manual renewal, and what cert-manager's default renewal window leaves. */
    static final Duration WARN_BEFORE = Duration.ofDays(30);

    private final Instant now;

    CertificateExpiry(Instant now) {
        this.now = now;
    }

    List<Finding> check(Snapshot snapshot) {
        List<Finding> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (PortSpec port : snapshot.ports()) {
            for (ListenerSpec l : port.listeners()) {
                if (l.tls() == null) {
                    continue;
                }
                for (TlsSpec.CertificateSpec cert : l.tls().certificates()) {
                    if (seen.add(cert.secret())) {
                        out.addAll(check(cert, l.gateway() + "/" + l.name()));
                    }
                }
            }
        }
        return out;
    }

    private List<Finding> check(TlsSpec.CertificateSpec cert, String listener) {
        String resource = "Secret " + cert.secret();
        Collection<? extends Certificate> chain;
        try {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(cert.certificateChainPem().getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException e) {
            return List.of(new Finding(Finding.Severity.ERROR, "certificate", resource,
                    "tls.crt does not parse as X.509 PEM (" + e.getMessage() + "); listener " + listener
                            + " cannot complete a handshake",
                    "put the PEM certificate chain (leaf first) in tls.crt"));
        }
        List<Finding> out = new ArrayList<>();
        for (Certificate c : chain) {
            if (!(c instanceof X509Certificate x)) {
                continue;
            }
            Instant notAfter = x.getNotAfter().toInstant();
            String subject = x.getSubjectX500Principal().getName();
            if (!notAfter.isAfter(now)) {
                out.add(new Finding(Finding.Severity.ERROR, "certificate", resource,
                        "certificate " + subject + " expired " + notAfter + "; clients of listener " + listener
                                + " reject the handshake",
                        "renew the certificate and update the Secret (the gateway reloads it)"));
            } else if (Duration.between(now, notAfter).compareTo(WARN_BEFORE) < 0) {
                out.add(new Finding(Finding.Severity.WARNING, "certificate", resource,
                        "certificate " + subject + " expires " + notAfter + " (in "
                                + Duration.between(now, notAfter).toDays() + " days); used by listener " + listener,
                        "renew it before then and update the Secret"));
            }
        }
        return out;
    }
}
