package dev.gatehouse.ir;

import java.util.List;

/**
 * What reaches backends in {@code X-Forwarded-Client-Cert} (Envoy's format), from a ClientTrafficPolicy's
 * {@code headers.xForwardedClientCert} (Envoy Gateway's field). A port without one sanitizes: the header a client
 * sends is always removed and none is added.
 *
 * @param mode how the client's header and the verified client certificate combine
 * @param details what of the certificate is added besides its SHA-256 {@code Hash} (AppendForward, SanitizeSet)
 */
public record ForwardClientCertSpec(Mode mode, List<Detail> details) {
    public ForwardClientCertSpec {
        details = List.copyOf(details);
    }

    /** Envoy's {@code forward_client_cert_details}; "mTLS" means the client presented a certificate we verified. */
    public enum Mode {
        /** Remove the client's header; add none. */
        SANITIZE,
        /** Over mTLS keep the client's header; otherwise remove it. */
        FORWARD_ONLY,
        /** Over mTLS append our element to the client's header; otherwise remove it. */
        APPEND_FORWARD,
        /** Over mTLS replace the client's header by our element; otherwise remove it. */
        SANITIZE_SET,
        /** Always keep the client's header, mTLS or not; add none. */
        ALWAYS_FORWARD_ONLY
    }

    /** Envoy's order within an element: Hash, Cert, Chain, Subject, URI, DNS. */
    public enum Detail {
        CERT, CHAIN, SUBJECT, URI, DNS
    }
}
