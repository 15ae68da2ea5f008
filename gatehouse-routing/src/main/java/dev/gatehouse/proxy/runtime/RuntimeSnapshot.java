package dev.gatehouse.proxy.runtime;

import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.proxy.route.HttpPortRouter;

import java.util.Map;

/**
 * What the data plane serves, compiled from a {@link Snapshot}: per bound port, a router with a host index
 * and precompiled matchers. Immutable once published.
 *
 * @param source the IR it was compiled from (for /config and explain)
 * @param httpRouters HTTP routers by port
 */
public record RuntimeSnapshot(Snapshot source, Map<Integer, HttpPortRouter> httpRouters) {
    public RuntimeSnapshot {
        httpRouters = Map.copyOf(httpRouters);
    }

    public long generation() {
        return source.generation();
    }

    /** @return the router for a local port, or {@code null} when the port serves no HTTP */
    public HttpPortRouter httpRouter(int port) {
        return httpRouters.get(port);
    }

    public static RuntimeSnapshot empty() {
        return new RuntimeSnapshot(Snapshot.empty(), Map.of());
    }
}
