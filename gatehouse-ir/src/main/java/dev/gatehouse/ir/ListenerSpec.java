package dev.gatehouse.ir;

import java.util.List;

/**
 * A Gateway listener as the data plane needs it.
 *
 * @param gateway "namespace/name" of the owning Gateway
 * @param name the listener's sectionName
 * @param hostname the listener hostname ({@code null} matches every host), lower case, may start with "*."
 * @param tls certificates to terminate with, or {@code null} for plain listeners
 * @param virtualHosts the attached HTTPRoutes grouped by effective hostname, most specific first
 * @param l4Routes of a TCP, UDP or TLS listener: the attached TCPRoute/UDPRoute/TLSRoute rules, oldest route first;
 *                 {@code null} on HTTP listeners (so their printed form does not change)
 */
public record ListenerSpec(String gateway, String name, String hostname, TlsSpec tls,
                           List<VirtualHostSpec> virtualHosts, List<L4RouteSpec> l4Routes) {
    public ListenerSpec {
        virtualHosts = List.copyOf(virtualHosts);
        l4Routes = l4Routes == null ? null : List.copyOf(l4Routes);
    }

    /** An HTTP or HTTPS listener. */
    public ListenerSpec(String gateway, String name, String hostname, TlsSpec tls, List<VirtualHostSpec> virtualHosts) {
        this(gateway, name, hostname, tls, virtualHosts, null);
    }
}
