package dev.gatehouse.proxy.testing;

import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import dev.gatehouse.routing.route.Backend;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.route.Route;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** Tiny stand-ins for the routing module's compiled tables. */
public final class TestRouting {
    private TestRouting() {
    }

    public record TestCluster(String name, List<InetSocketAddress> endpoints) implements Cluster {
        @Override
        public InetSocketAddress pick() {
            return endpoints.isEmpty() ? null : endpoints.get(0);
        }
    }

    public static final class TestRoute implements Route {
        private final String name;
        private final List<HttpFilter> filters;
        private final Backend backend;
        private final TimeoutSpec timeouts;

        public TestRoute(String name, List<HttpFilter> filters, Backend backend, TimeoutSpec timeouts) {
            this.name = name;
            this.filters = List.copyOf(filters);
            this.backend = backend;
            this.timeouts = timeouts;
        }

        public static TestRoute to(Cluster cluster) {
            return new TestRoute("r", List.of(), new Backend(cluster, List.of(), null), TimeoutSpec.NONE);
        }

        @Override
        public RouteRef ref() {
            return new RouteRef("HTTPRoute", "default", name, 0, null, 0);
        }

        @Override
        public String listener() {
            return "default/gw http";
        }

        @Override
        public List<HttpFilter> filters() {
            return filters;
        }

        @Override
        public Backend pickBackend() {
            return backend;
        }

        @Override
        public TimeoutSpec timeouts() {
            return timeouts;
        }
    }

    /** First matching (predicate, route) pair wins; counts route() calls. */
    public static final class TestRouter implements HttpPortRouter {
        private final List<Map.Entry<Predicate<HttpExchange>, Route>> entries = new ArrayList<>();
        public final AtomicInteger calls = new AtomicInteger();

        public TestRouter when(Predicate<HttpExchange> p, Route r) {
            entries.add(Map.entry(p, r));
            return this;
        }

        public TestRouter pathPrefix(String prefix, Route r) {
            return when(ex -> ex.path().startsWith(prefix), r);
        }

        @Override
        public Route route(HttpExchange exchange) {
            calls.incrementAndGet();
            for (Map.Entry<Predicate<HttpExchange>, Route> e : entries) {
                if (e.getKey().test(exchange)) {
                    return e.getValue();
                }
            }
            return null;
        }
    }

    public static RuntimeSnapshot snapshot(Map<Integer, HttpPortRouter> routers) {
        List<PortSpec> ports = new ArrayList<>();
        routers.keySet().stream().sorted().forEach(p -> ports.add(new PortSpec(p, Protocol.HTTP, List.of())));
        return new RuntimeSnapshot(new Snapshot(1, ports, List.of()), routers);
    }
}
