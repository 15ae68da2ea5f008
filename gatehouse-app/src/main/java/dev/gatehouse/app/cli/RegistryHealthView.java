package dev.gatehouse.app.cli;

import dev.gatehouse.app.admin.EndpointHealth;
import dev.gatehouse.app.admin.EndpointHealthView;
import dev.gatehouse.routing.balance.EndpointHealthRegistry;
import dev.gatehouse.routing.balance.HealthVerdict;
import dev.gatehouse.routing.balance.OutlierState;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code /backends} reads the data plane's health registry through this: the last verdict of the endpoint, never a
 * probe. Health is per address (one verdict even when two clusters list it), so {@code cluster} is not needed.
 */
final class RegistryHealthView implements EndpointHealthView {
    private final EndpointHealthRegistry registry;
    /** the active check probing an address, or null */
    private final Function<InetSocketAddress, String> checks;

    RegistryHealthView(EndpointHealthRegistry registry, Function<InetSocketAddress, String> checks) {
        this.registry = registry;
        this.checks = checks;
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
        OutlierState o = health.outlier();
        EndpointHealth.Ejection passive = o.ejections() == 0 ? null : new EndpointHealth.Ejection(o.ejected(),
                o.reason(), o.since(), TimeUnit.NANOSECONDS.toMillis(o.remainingNanos(registry.nanoTime())),
                o.ejections());
        return new EndpointHealth(state, v.lastFailure(), v.since(), checks.apply(endpoint), passive);
    }
}
