package dev.gatehouse.ir;

import java.util.List;

/**
 * One socket to bind. Several Gateway listeners (possibly of several Gateways) may share a port when
 * their protocols agree; a request picks among them by hostname, most specific first.
 *
 * @param port TCP port
 * @param protocol what every listener on this port speaks
 * @param listeners the listeners sharing the port, most specific hostname first
 * @param clientTraffic client-side limits and timeouts of this port from a ClientTrafficPolicy, or
 *                      {@code null} when no policy targets it (the server's defaults apply)
 */
public record PortSpec(int port, Protocol protocol, List<ListenerSpec> listeners, ClientTrafficSpec clientTraffic) {
    public PortSpec {
        listeners = List.copyOf(listeners);
    }

    /** A port no ClientTrafficPolicy targets. */
    public PortSpec(int port, Protocol protocol, List<ListenerSpec> listeners) {
        this(port, protocol, listeners, null);
    }
}
