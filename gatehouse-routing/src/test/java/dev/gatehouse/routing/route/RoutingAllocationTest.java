package dev.gatehouse.routing.route;

import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.balance.RoundRobinCluster;
import dev.gatehouse.routing.filter.HttpExchange;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;

import static dev.gatehouse.routing.Fixtures.backend;
import static dev.gatehouse.routing.Fixtures.cluster;
import static dev.gatehouse.routing.Fixtures.exact;
import static dev.gatehouse.routing.Fixtures.exchange;
import static dev.gatehouse.routing.Fixtures.header;
import static dev.gatehouse.routing.Fixtures.listener;
import static dev.gatehouse.routing.Fixtures.match;
import static dev.gatehouse.routing.Fixtures.prefix;
import static dev.gatehouse.routing.Fixtures.query;
import static dev.gatehouse.routing.Fixtures.rule;
import static dev.gatehouse.routing.Fixtures.vhost;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Explain shares its code with routing; this pins that routing still allocates nothing (no regex, no
 * percent-encoding involved), misses and failing conditions included.
 */
class RoutingAllocationTest {

    @Test
    void routingWithoutRegexAllocatesNothing() {
        Map<String, Cluster> clusters = Map.of("v1", RoundRobinCluster.compile(cluster("v1", 9000)));
        HostIndexedPortRouter router = HostIndexedPortRouter.compile(new PortSpec(80, Protocol.HTTP, List.of(
                listener("exact", "foo.example.com", vhost("foo.example.com", rule("f", 0, match(prefix("/")), backend("v1", 1)))),
                listener("wild", "*.example.com", vhost("*.example.com",
                        rule("a", 0, match(exact("/match/exact")), backend("v1", 1)),
                        rule("b", 1, match(prefix("/v1"), "POST", List.of(), List.of()), backend("v1", 1)),
                        rule("c", 2, match(prefix("/v1"), null, List.of(header("x-env", "staging")), List.of()), backend("v1", 1)),
                        rule("d", 3, match(prefix("/"), null, List.of(), List.of(query("page", "2"))), backend("v1", 1)))))),
                clusters);
        HttpExchange[] exchanges = {
                exchange("GET", "/v1/cart?page=2", "a.example.com", "x-env", "prod"),
                exchange("GET", "/v1/cart", "a.example.com", "x-env", "staging"),
                exchange("GET", "/match/exact", "b.example.com"),
                exchange("GET", "/nothing?page=3", "b.example.com"),
                exchange("GET", "/", "other.org"),
        };
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int i = 0; i < 50_000; i++) {
            sink += router.route(exchanges[i % exchanges.length]) == null ? 0 : 1;
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            sink += router.route(exchanges[i % exchanges.length]) == null ? 0 : 1;
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(sink).isPositive();
        assertThat(allocated).as("bytes allocated by 100k route() calls").isLessThan(4096);
    }
}
