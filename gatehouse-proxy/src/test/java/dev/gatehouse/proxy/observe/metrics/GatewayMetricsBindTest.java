package dev.gatehouse.proxy.observe.metrics;

import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.ir.VirtualHostSpec;
import dev.gatehouse.proxy.observe.RequestLog;
import dev.gatehouse.proxy.route.CompiledRoute;
import dev.gatehouse.proxy.runtime.RuntimeSnapshot;
import dev.gatehouse.proxy.runtime.SnapshotCompiler;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GatewayMetricsBindTest {
    private static final int PORT = 18999;

    /** One rule with two matches: two compiled routes, one series per rule, as Micrometer would have it. */
    private static RuntimeSnapshot twoMatchesOfOneRule() {
        List<BackendRefSpec> backends = List.of(new BackendRefSpec("default/echo:80", 1, List.of(), null));
        HttpRuleSpec a = new HttpRuleSpec(new RouteRef("HTTPRoute", "default", "shop", 0, null, 0),
                new HttpMatchSpec(new HttpMatchSpec.PathMatchSpec(HttpMatchSpec.PathMatchType.PATH_PREFIX, "/a"),
                        List.of(), List.of(), null), List.of(), backends, TimeoutSpec.NONE);
        HttpRuleSpec b = new HttpRuleSpec(new RouteRef("HTTPRoute", "default", "shop", 0, null, 1),
                new HttpMatchSpec(new HttpMatchSpec.PathMatchSpec(HttpMatchSpec.PathMatchType.PATH_PREFIX, "/b"),
                        List.of(), List.of(), null), List.of(), backends, TimeoutSpec.NONE);
        ListenerSpec listener = new ListenerSpec("default/gw", "web", null, null,
                List.of(new VirtualHostSpec("*", List.of(a, b))));
        Snapshot snapshot = new Snapshot(1, List.of(new PortSpec(PORT, Protocol.HTTP, List.of(listener))), List.of(
                new ClusterSpec("default/echo:80", List.of(new ClusterSpec.EndpointSpec("127.0.0.1", 1)),
                        ClusterSpec.LoadBalancerType.ROUND_ROBIN)));
        return new SnapshotCompiler().compile(snapshot, null);
    }

    private static void complete(GatewayMetrics metrics, CompiledRoute route) {
        RequestLog log = new RequestLog(1_000_000L, 0L, "GET", "/", "HTTP/1.1", new InetSocketAddress("127.0.0.1", 1), PORT);
        log.route(route);
        log.status(200);
        log.complete(3_000_000L);
        metrics.onComplete(log);
    }

    private static String count(String scrape) {
        return scrape.lines().filter(l -> l.startsWith("gatehouse_http_request_duration_seconds_count{")
                && l.contains("route=\"default/shop#0\"")).findFirst().orElse("none");
    }

    @Test
    void everyMatchOfARuleRecordsIntoTheOneSeriesThatIsScrapedFromTheFirstBind() {
        RuntimeSnapshot runtime = twoMatchesOfOneRule();
        List<CompiledRoute> routes = runtime.httpRouter(PORT).routes();
        assertThat(routes).hasSize(2);
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.bind(runtime);
        complete(metrics, routes.get(0));
        complete(metrics, routes.get(1));
        assertThat(count(metrics.scrape())).endsWith("} 2.0");
        metrics.bind(runtime); // a reload keeps the series and its counts
        complete(metrics, routes.get(0));
        assertThat(count(metrics.scrape())).endsWith("} 3.0");
    }
}
