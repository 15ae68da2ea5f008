package dev.gatehouse.routing.balance;

import dev.gatehouse.ir.LoadBalancerSpec;
import dev.gatehouse.ir.LoadBalancerSpec.Type;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static dev.gatehouse.routing.balance.BalancerTesting.lb;
import static dev.gatehouse.routing.balance.BalancerTesting.markUnhealthy;
import static dev.gatehouse.routing.balance.BalancerTesting.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Statistical tests of Random, LeastRequest, slow start and panic: enough samples that the tolerances sit many
 * standard deviations out (a correct balancer does not flake), yet a skewed one fails.
 */
class BalancerDistributionTest {
    private static final int PICKS = 40_000;

    private static Map<Integer, Integer> shares(Cluster c, int picks) {
        Map<Integer, Integer> counts = new TreeMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(c.pick(PickContext.NONE).getPort(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void compilerChoosesTheAlgorithmTheSpecNames() {
        assertThat(BalancedCluster.compile(spec("ns/a:80", null, null, 1, 2)).algorithm()).isEqualTo("RoundRobin");
        assertThat(BalancedCluster.compile(spec("ns/a:80", lb(Type.RANDOM), null, 1, 2)).algorithm())
                .isEqualTo("Random");
        assertThat(BalancedCluster.compile(spec("ns/a:80", lb(Type.LEAST_REQUEST), null, 1, 2)).algorithm())
                .isEqualTo("LeastRequest");
        assertThat(BalancedCluster.compile(BalancerTesting.hashed("ns/a:80", BalancerTesting.headerHash("x-user"), 3))
                .algorithm()).isEqualTo("ConsistentHash(Headers x-user, Maglev 65537)");
    }

    @Test
    void randomGivesEachEndpointAnEqualShare() {
        Map<Integer, Integer> counts = shares(BalancedCluster.compile(spec("ns/r:80", lb(Type.RANDOM), null,
                1, 2, 3, 4)), PICKS);
        // sd of one count is sqrt(40000 * .25 * .75) = 87: 1.5% = 600 is 7 sd
        assertThat(counts).hasSize(4);
        counts.values().forEach(n -> assertThat(n / (double) PICKS).isCloseTo(0.25, within(0.015)));
    }

    @Test
    void randomSkipsUnhealthyAndAvoided() {
        BalancedCluster c = BalancedCluster.compile(spec("ns/r:80", lb(Type.RANDOM), null, 1, 2, 3));
        markUnhealthy(c.health().get(0));
        BalancerTesting.Request avoid2 = new BalancerTesting.Request(Map.of(), Map.of(), null);
        avoid2.avoid = c.endpoints().get(1);
        for (int i = 0; i < 200; i++) {
            assertThat(c.pick(avoid2).getPort()).isEqualTo(3);
        }
    }

    @Test
    void leastRequestSpreadsInFlightRequestsEvenly() {
        BalancedCluster c = BalancedCluster.compile(spec("ns/lr:80", lb(Type.LEAST_REQUEST), null, 1, 2, 3, 4, 5));
        // 10,000 requests picked and none finished: power of two choices keeps the loads within a few of each
        // other (random would spread them by about 3 sd = 120)
        Map<Integer, Integer> inFlight = shares(c, 10_000);
        int max = inFlight.values().stream().max(Integer::compare).orElseThrow();
        int min = inFlight.values().stream().min(Integer::compare).orElseThrow();
        assertThat(max - min).isLessThanOrEqualTo(4);
    }

    @Test
    void leastRequestSendsNothingToTheEndpointHoldingRequests() {
        LeastRequestCluster c = (LeastRequestCluster) BalancedCluster.compile(
                spec("ns/lr:80", lb(Type.LEAST_REQUEST), null, 1, 2, 3));
        InetSocketAddress slow = c.endpoints().get(0);
        List<InetSocketAddress> inFlight = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) { // 30 requests in flight, then all but the slow endpoint's are answered
            inFlight.add(c.pick(PickContext.NONE));
        }
        int held = 0;
        for (InetSocketAddress e : inFlight) {
            if (e.equals(slow)) {
                held++;
            } else {
                c.requestFinished(e);
            }
        }
        assertThat(held).isBetween(8, 12);
        Map<Integer, Integer> counts = new TreeMap<>();
        for (int i = 0; i < 3_000; i++) { // fast answers: each finishes before the next pick
            InetSocketAddress e = c.pick(PickContext.NONE);
            counts.merge(e.getPort(), 1, Integer::sum);
            c.requestFinished(e);
        }
        assertThat(counts).doesNotContainKey(1);
        assertThat(counts.get(2) / 3000.0).isCloseTo(0.5, within(0.05));
        // the stuck requests end: the endpoint is back in the rotation
        for (int i = 0; i < held; i++) {
            c.requestFinished(slow);
        }
        assertThat(c.inFlight(0)).isZero();
        assertThat(shares(c, 300)).containsKey(1);
    }

    @Test
    void requestFinishedNeverGoesBelowZero() {
        LeastRequestCluster c = (LeastRequestCluster) BalancedCluster.compile(
                spec("ns/lr:80", lb(Type.LEAST_REQUEST), null, 1, 2));
        c.requestFinished(c.endpoints().get(0));
        c.requestFinished(new InetSocketAddress("127.0.0.9", 9));
        assertThat(c.inFlight(0)).isZero();
        for (int i = 0; i < 10; i++) {
            c.pick(); // mirrors and L4 pick without a request: nothing finishes those, so they are not counted
        }
        assertThat(c.inFlight(0) + c.inFlight(1)).isZero();
    }

    @Test
    void slowStartRampsANewEndpointLinearlyAndSurvivesRebuilds() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        EndpointHealthRegistry registry = new EndpointHealthRegistry(HealthPolicy.passiveOnly(), Clock.systemUTC(),
                now::get);
        LoadBalancerSpec ramp = new LoadBalancerSpec(Type.ROUND_ROBIN, null, Duration.ofSeconds(10));
        BalancedCluster.compile(spec("ns/s:80", ramp, null, 1), registry, null); // endpoint 1 seen first
        now.addAndGet(Duration.ofSeconds(100).toNanos());
        BalancedCluster.compile(spec("ns/s:80", ramp, null, 1, 2), registry, null); // endpoint 2 appears
        now.addAndGet(Duration.ofSeconds(5).toNanos()); // half way: weight 0.5 against 1
        // a reload rebuilds the cluster: the ramp goes on from the first appearance, it does not restart
        BalancedCluster c = BalancedCluster.compile(spec("ns/s:80", ramp, null, 1, 2), registry, null);
        assertThat(shares(c, PICKS).get(2) / (double) PICKS).isCloseTo(1 / 3.0, within(0.02));
        now.addAndGet(Duration.ofSeconds(4).toNanos()); // 0.9
        assertThat(shares(c, PICKS).get(2) / (double) PICKS).isCloseTo(0.9 / 1.9, within(0.02));
        now.addAndGet(Duration.ofSeconds(2).toNanos()); // past the window: equal shares, exactly (round robin)
        assertThat(shares(c, 1000)).isEqualTo(Map.of(1, 500, 2, 500));
    }

    @Test
    void panicThresholdSendsToAllBelowItsShareOfRoutableEndpoints() {
        EndpointHealthRegistry registry = new EndpointHealthRegistry(HealthPolicy.withActiveChecks());
        BalancedCluster strict = BalancedCluster.compile(spec("ns/p:80", lb(Type.RANDOM), 40, 1, 2, 3, 4),
                registry, null);
        markUnhealthy(strict.health().get(0));
        markUnhealthy(strict.health().get(1));
        // 50% routable, threshold 40%: only the routable ones
        assertThat(shares(strict, 2000).keySet()).containsExactly(3, 4);
        // threshold 60%: below it, traffic goes to all (Envoy's panic mode)
        BalancedCluster panicky = BalancedCluster.compile(spec("ns/p:80", lb(Type.RANDOM), 60, 1, 2, 3, 4),
                registry, null);
        assertThat(shares(panicky, 2000).keySet()).containsExactly(1, 2, 3, 4);
        // unset: panic only when none is routable
        BalancedCluster dflt = BalancedCluster.compile(spec("ns/p:80", lb(Type.LEAST_REQUEST), null, 1, 2, 3, 4),
                registry, null);
        assertThat(shares(dflt, 2000).keySet()).containsExactly(3, 4);
    }

    @Test
    void weightedBackendRefsByRandomAndByConsistentHash() {
        SmoothWeightedRoundRobin<String> w = SmoothWeightedRoundRobin.of(List.of("a", "b", "c"), List.of(1, 3, 0));
        Map<String, Integer> random = new TreeMap<>();
        for (int i = 0; i < PICKS; i++) {
            random.merge(w.pickRandom(), 1, Integer::sum);
        }
        assertThat(random.keySet()).containsExactly("a", "b");
        assertThat(random.get("a") / (double) PICKS).isCloseTo(0.25, within(0.015));

        long[] seeds = {11, 22};
        Map<String, Integer> hashed = new TreeMap<>();
        java.util.SplittableRandom keys = new java.util.SplittableRandom(42);
        for (int i = 0; i < PICKS; i++) {
            long key = keys.nextLong();
            String first = w.pickConsistent(key, seeds);
            assertThat(w.pickConsistent(key, seeds)).isEqualTo(first); // a key stays on its backendRef
            hashed.merge(first, 1, Integer::sum);
        }
        assertThat(hashed.get("a") / (double) PICKS).isCloseTo(0.25, within(0.015));
        // large totals take the cumulative path
        SmoothWeightedRoundRobin<String> big = SmoothWeightedRoundRobin.of(List.of("a", "b"), List.of(100_000, 300_001));
        int a = 0;
        for (int i = 0; i < PICKS; i++) {
            a += big.pickRandom().equals("a") ? 1 : 0;
        }
        assertThat(a / (double) PICKS).isCloseTo(0.25, within(0.015));
    }

    @Test
    void picksDoNotAllocate() {
        for (Type type : List.of(Type.RANDOM, Type.LEAST_REQUEST)) {
            BalancedCluster c = BalancedCluster.compile(spec("ns/a:80", lb(type), 30, 1, 2, 3, 4));
            assertNoAllocation(() -> c.requestFinished(c.pick(PickContext.NONE)));
        }
        BalancedCluster hashed = BalancedCluster.compile(
                BalancerTesting.hashed("ns/h:80", BalancerTesting.headerHash("x-user"), 4));
        BalancerTesting.Request request = BalancerTesting.Request.header("x-user", "alice");
        assertNoAllocation(() -> hashed.pick(request));
    }

    private static void assertNoAllocation(Runnable pick) {
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) {
            pick.run(); // warm up, so the interpreter's own allocations are gone
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            pick.run();
        }
        assertThat(mx.getCurrentThreadAllocatedBytes() - before).isLessThan(10_000);
    }
}
