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
 */
public record ListenerSpec(String gateway, String name, String hostname, TlsSpec tls,
                           List<VirtualHostSpec> virtualHosts) {
    public ListenerSpec {
        virtualHosts = List.copyOf(virtualHosts);
    }
}
