package dev.gatehouse.proxy.observe.metrics;

import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.PassiveHealthCheckSpec;
import dev.gatehouse.routing.balance.EndpointHealthRegistry;
import dev.gatehouse.routing.balance.HealthPolicy;
import dev.gatehouse.routing.balance.RoundRobinCluster;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Ejections and health transitions as Prometheus counters. */
class GatewayMetricsHealthTest {
    @Test
    void ejectionsAreCountedByClusterAndReasonAndTransitionsByState() {
        GatewayMetrics metrics = new GatewayMetrics();
        EndpointHealthRegistry registry = new EndpointHealthRegistry(HealthPolicy.withActiveChecks());
        registry.events(metrics.healthEvents());
        ClusterSpec spec = new ClusterSpec("ns/a:80@ns/p", List.of(new ClusterSpec.EndpointSpec("127.0.0.1", 9001),
                new ClusterSpec.EndpointSpec("127.0.0.1", 9002)), ClusterSpec.LoadBalancerType.ROUND_ROBIN)
                .withTraffic(new BackendTrafficSpec("ns/p", null, null, new PassiveHealthCheckSpec(1, 1, null,
                        false, Duration.ofSeconds(3), Duration.ofSeconds(30), 50), null, null, null, null));
        RoundRobinCluster cluster = RoundRobinCluster.compile(spec, registry);
        cluster.reportResponse(new InetSocketAddress("127.0.0.1", 9001), 500);
        registry.find(new InetSocketAddress("127.0.0.1", 9002)).probeSucceeded();

        String text = metrics.scrape();
        assertThat(text).contains("gatehouse_backend_endpoint_ejections_total{cluster=\"ns/a:80@ns/p\","
                + "reason=\"consecutive_5xx\"} 1.0");
        assertThat(text).contains("gatehouse_backend_endpoint_health_transitions_total{to=\"healthy\"} 1.0");
    }
}
