package dev.gatehouse.app.admin;

import java.net.InetSocketAddress;

/** The view used until a health checker is wired in: nothing is probed, so every endpoint is UNKNOWN. */
public final class UnprobedEndpointHealth implements EndpointHealthView {
    public static final UnprobedEndpointHealth INSTANCE = new UnprobedEndpointHealth();

    private UnprobedEndpointHealth() {
    }

    @Override
    public EndpointHealth of(String cluster, InetSocketAddress endpoint) {
        return EndpointHealth.UNKNOWN;
    }
}
