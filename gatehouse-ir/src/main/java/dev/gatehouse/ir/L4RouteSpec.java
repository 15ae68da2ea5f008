package dev.gatehouse.ir;

import java.util.List;

/**
 * A TCPRoute, UDPRoute or TLSRoute rule as a TCP, UDP or TLS listener serves it: a connection (with a matching
 * SNI name, for TLS) or a UDP client's session is relayed to one of the weighted backends.
 *
 * @param route the route and rule ({@code kind} "TCPRoute", "UDPRoute" or "TLSRoute")
 * @param hostname the SNI name this rule serves (lower case, may start with "*."), or {@code null} for TCP and UDP
 * @param backends weighted backends; one whose cluster is {@code null} closes the connections it is picked for
 */
public record L4RouteSpec(RouteRef route, String hostname, List<BackendRefSpec> backends) {
    public L4RouteSpec {
        backends = List.copyOf(backends);
    }
}
