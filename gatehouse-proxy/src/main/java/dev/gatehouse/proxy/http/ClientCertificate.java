package dev.gatehouse.proxy.http;

import dev.gatehouse.ir.ForwardClientCertSpec;
import dev.gatehouse.ir.ForwardClientCertSpec.Detail;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * A client certificate the gateway verified, and its X-Forwarded-Client-Cert element in Envoy's format
 * ({@code Hash=<sha256 hex>;Cert="<url-encoded PEM>";Chain="...";Subject="<RFC 2253>";URI=...;DNS=...}), built on
 * the connection's first request that needs it and kept for the others (a connection's details never change).
 */
public final class ClientCertificate {
    private static final int URI_SAN = 6;
    private static final int DNS_SAN = 2;

    private final List<X509Certificate> chain;
    private ForwardClientCertSpec elementFor;
    private String element;

    /** @param chain leaf first, as the client presented it */
    public ClientCertificate(List<X509Certificate> chain) {
        this.chain = List.copyOf(chain);
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** On the connection's event loop (h2 streams share it), so the memo needs no synchronisation. */
    String element(ForwardClientCertSpec spec) {
        if (element == null || !spec.equals(elementFor)) {
            element = build(spec.details());
            elementFor = spec;
        }
        return element;
    }

    private String build(List<Detail> details) {
        X509Certificate leaf = leaf();
        StringBuilder sb = new StringBuilder(128).append("Hash=").append(sha256(leaf));
        for (Detail d : details) {
            switch (d) {
                case CERT -> sb.append(";Cert=\"").append(urlEncode(pem(List.of(leaf)))).append('"');
                case CHAIN -> sb.append(";Chain=\"").append(urlEncode(pem(chain))).append('"');
                case SUBJECT -> sb.append(";Subject=\"")
                        .append(quotedText(leaf.getSubjectX500Principal().getName(X500Principal.RFC2253))).append('"');
                case URI -> sans(leaf, URI_SAN).forEach(u -> sb.append(";URI=").append(value(u)));
                case DNS -> sans(leaf, DNS_SAN).forEach(n -> sb.append(";DNS=").append(value(n)));
            }
        }
        return sb.toString();
    }

    private static String sha256(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(List<X509Certificate> certs) {
        Base64.Encoder base64 = Base64.getMimeEncoder(64, new byte[] {'\n'});
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : certs) {
            try {
                sb.append("-----BEGIN CERTIFICATE-----\n").append(base64.encodeToString(c.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        return sb.toString();
    }

    /** Percent-encoding of everything but RFC 3986 unreserved characters, as Envoy encodes the PEM. */
    static String urlEncode(String s) {
        StringBuilder sb = new StringBuilder(s.length() * 2);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    /** Inside a quoted XFCC value, {@code "} and {@code \} are backslash-escaped. */
    private static String quotedText(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** A value with a separator ({@code , ; =}) or a quote is quoted, as the XFCC grammar requires. */
    private static String value(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (",;=\"".indexOf(s.charAt(i)) >= 0) {
                return '"' + quotedText(s) + '"';
            }
        }
        return s;
    }

    private static List<String> sans(X509Certificate c, int type) {
        Collection<List<?>> all;
        try {
            all = c.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return List.of();
        }
        if (all == null) {
            return List.of();
        }
        return all.stream().filter(san -> Integer.valueOf(type).equals(san.get(0)) && san.get(1) instanceof String)
                .map(san -> (String) san.get(1)).toList();
    }
}
