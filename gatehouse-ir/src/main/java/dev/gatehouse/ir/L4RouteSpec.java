package dev.gatehouse.ir;

import java.util.List;

/**
 * A TCPRoute or TLSRoute rule as a TCP or TLS passthrough listener serves it: a connection (with a matching
 * SNI name, for TLS) is relayed to one of the weighted backends.
 *
 * @param route the route and rule ({@code kind} "TCPRoute" or "TLSRoute")
 * @param hostname the SNI name this rule serves (lower case, may start with "*."), or {@code null} for TCP
 * @param backends weighted backends; one whose cluster is {@code null} closes the connections it is picked for
 */
public record L4RouteSpec(RouteRef route, String hostname, List<BackendRefSpec> backends) {
    public L4RouteSpec {
        backends = List.copyOf(backends);
    }
}
