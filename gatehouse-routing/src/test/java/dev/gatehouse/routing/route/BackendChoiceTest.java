package dev.gatehouse.routing.route;

import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.LoadBalancerSpec;
import dev.gatehouse.ir.LoadBalancerSpec.ConsistentHashSpec;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.routing.balance.BalancedCluster;
import dev.gatehouse.routing.balance.PickContext;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** backendRef weights hold under every algorithm, and a hashing rule keeps a key on one backendRef. */
class BackendChoiceTest {
    private static final int PICKS = 40_000;

    private static BalancedCluster cluster(String name, LoadBalancerSpec lb) {
        return BalancedCluster.compile(new ClusterSpec(name, List.of(new ClusterSpec.EndpointSpec("10.0.0.1", 80),
                new ClusterSpec.EndpointSpec("10.0.0.2", 80)), ClusterSpec.LoadBalancerType.ROUND_ROBIN, null, null,
                new BackendTrafficSpec("ns/p", lb, null, null, null, null, null, null)));
    }

    private static CompiledRoute route(LoadBalancerSpec lb) {
        return new CompiledRoute(new RouteRef("HTTPRoute", "ns", "r", 0, null, 0), "gw web",
                RequestMatcher.compile(dev.gatehouse.routing.Fixtures.match(dev.gatehouse.routing.Fixtures.prefix("/"))),
                List.of(), List.of(new Backend(cluster("ns/a:80", lb), List.of(), null),
                        new Backend(cluster("ns/b:80", lb), List.of(), null)), List.of(1, 3), TimeoutSpec.NONE);
    }

    private static PickContext user(String id) {
        return new PickContext() {
            @Override
            public String header(CharSequence name) {
                return name.toString().equals("x-user") ? id : null;
            }
        };
    }

    @Test
    void weightsHoldForEveryAlgorithm() {
        ConsistentHashSpec byUser = new ConsistentHashSpec(ConsistentHashSpec.Source.HEADERS, List.of("x-user"), null,
                65537);
        for (LoadBalancerSpec lb : List.of(LoadBalancerSpec.ROUND_ROBIN,
                new LoadBalancerSpec(LoadBalancerSpec.Type.RANDOM, null, null),
                new LoadBalancerSpec(LoadBalancerSpec.Type.LEAST_REQUEST, null, null),
                new LoadBalancerSpec(LoadBalancerSpec.Type.CONSISTENT_HASH, byUser, null))) {
            CompiledRoute r = route(lb);
            Map<String, Integer> counts = new TreeMap<>();
            for (int i = 0; i < PICKS; i++) {
                counts.merge(r.pickBackend(user("u" + i)).cluster().name(), 1, Integer::sum);
            }
            // sd of the count for p = .25 over 40,000 picks is 87: 1.5% (600) is 7 sd
            assertThat(counts.get("ns/a:80") / (double) PICKS).as(lb.type().toString()).isCloseTo(0.25, within(0.015));
        }
    }

    @Test
    void aHashingRuleKeepsEachKeyOnOneBackendRef() {
        CompiledRoute r = route(new LoadBalancerSpec(LoadBalancerSpec.Type.CONSISTENT_HASH, new ConsistentHashSpec(
                ConsistentHashSpec.Source.HEADERS, List.of("x-user"), null, 65537), null));
        for (int u = 0; u < 500; u++) {
            Backend first = r.pickBackend(user("u" + u));
            for (int i = 0; i < 5; i++) {
                assertThat(r.pickBackend(user("u" + u))).isSameAs(first);
            }
        }
    }
}
