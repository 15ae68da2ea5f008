package dev.gatehouse.ir;

import java.util.List;

/**
 * PROXY protocol (v1 and v2) on one port, from a ClientTrafficPolicy's {@code spec.proxyProtocol}. A connection
 * from a trusted source must open with a PROXY header, whose source address then stands for the client; one from
 * any other source is plain traffic and its PROXY bytes are never read as a header.
 *
 * @param optional a trusted connection without a header is served as plain traffic instead of closed
 * @param trustedCidrs IPv4/IPv6 CIDRs ("198.18.0.0/15", "2001:db8::/32"), validated by the translator; the policy's
 *                     EG-compatible form without {@code trustedCIDRs} trusts every source ("0.0.0.0/0", "::/0")
 */
public record ProxyProtocolSpec(boolean optional, List<String> trustedCidrs) {
    public ProxyProtocolSpec {
        trustedCidrs = List.copyOf(trustedCidrs);
    }
}
