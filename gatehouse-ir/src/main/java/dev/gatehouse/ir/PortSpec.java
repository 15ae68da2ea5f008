package dev.gatehouse.ir;

import java.util.List;

/**
 * One socket to bind. Several Gateway listeners (possibly of several Gateways) may share a port when
 * their protocols agree; a request picks among them by hostname, most specific first.
 *
 * @param port TCP port
 * @param protocol what every listener on this port speaks
 * @param listeners the listeners sharing the port, most specific hostname first
 */
public record PortSpec(int port, Protocol protocol, List<ListenerSpec> listeners) {
    public PortSpec {
        listeners = List.copyOf(listeners);
    }
}
