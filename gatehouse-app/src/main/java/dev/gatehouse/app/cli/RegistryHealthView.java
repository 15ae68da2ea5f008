package dev.gatehouse.app.cli;

import dev.gatehouse.app.admin.EndpointHealth;
import dev.gatehouse.app.admin.EndpointHealthView;
import dev.gatehouse.routing.balance.EndpointHealthRegistry;
import dev.gatehouse.routing.balance.HealthVerdict;

import java.net.InetSocketAddress;

/**
 * {@code /backends} reads the data plane's health registry through this: the last verdict of the endpoint, never a
 * probe. Health is per address (one verdict even when two clusters list it), so {@code cluster} is not needed.
 */
final class RegistryHealthView implements EndpointHealthView {
    private final EndpointHealthRegistry registry;

    RegistryHealthView(EndpointHealthRegistry registry) {
        this.registry = registry;
    }

    @Override
    public EndpointHealth of(String cluster, InetSocketAddress endpoint) {
        dev.gatehouse.routing.balance.EndpointHealth health = registry.find(endpoint);
        if (health == null) {
            return EndpointHealth.UNKNOWN;
        }
        HealthVerdict v = health.verdict();
        EndpointHealth.State state = switch (v.state()) {
            case UNKNOWN -> EndpointHealth.State.UNKNOWN;
            case HEALTHY -> EndpointHealth.State.HEALTHY;
            case UNHEALTHY -> EndpointHealth.State.UNHEALTHY;
        };
        return new EndpointHealth(state, v.lastFailure(), v.since());
    }
}
