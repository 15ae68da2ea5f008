package dev.gatehouse.routing.balance;

import dev.gatehouse.ir.LoadBalancerSpec.ConsistentHashSpec;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.gatehouse.routing.balance.BalancerTesting.cookieHash;
import static dev.gatehouse.routing.balance.BalancerTesting.hashed;
import static dev.gatehouse.routing.balance.BalancerTesting.headerHash;
import static dev.gatehouse.routing.balance.BalancerTesting.markUnhealthy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Maglev over the endpoints: stable keys, even shares, about 1/N of the keys move when N changes. */
class ConsistentHashTest {
    private static final int KEYS = 10_000;

    private static InetSocketAddress[] owners(BalancedCluster c) {
        InetSocketAddress[] out = new InetSocketAddress[KEYS];
        for (int k = 0; k < KEYS; k++) {
            out[k] = c.pick(BalancerTesting.Request.header("x-user", "user-" + k));
        }
        return out;
    }

    private static double moved(InetSocketAddress[] before, InetSocketAddress[] after) {
        int moved = 0;
        for (int k = 0; k < KEYS; k++) {
            moved += before[k].equals(after[k]) ? 0 : 1;
        }
        return moved / (double) KEYS;
    }

    @Test
    void addingAFifthEndpointToFourMovesAboutAFifthOfTheKeys() {
        InetSocketAddress[] four = owners(BalancedCluster.compile(hashed("ns/h:80", headerHash("x-user"), 4)));
        InetSocketAddress[] five = owners(BalancedCluster.compile(hashed("ns/h:80", headerHash("x-user"), 5)));
        double moved = moved(four, five);
        System.out.printf("Maglev 4 -> 5 endpoints: %.1f%% of %d keys moved%n", moved * 100, KEYS);
        assertThat(moved).isBetween(0.10, 0.30);
        // and what moved went to the new endpoint, almost all of it
        int toNew = 0;
        for (int k = 0; k < KEYS; k++) {
            if (!four[k].equals(five[k]) && five[k].getAddress().getHostAddress().equals("10.0.0.5")) {
                toNew++;
            }
        }
        assertThat(toNew / (moved * KEYS)).isGreaterThan(0.8);
    }

    @Test
    void removingOneOfFiveMovesItsKeysAndFewOthers() {
        InetSocketAddress[] five = owners(BalancedCluster.compile(hashed("ns/h:80", headerHash("x-user"), 5)));
        InetSocketAddress[] four = owners(BalancedCluster.compile(hashed("ns/h:80", headerHash("x-user"), 4)));
        double moved = moved(five, four);
        System.out.printf("Maglev 5 -> 4 endpoints: %.1f%% of %d keys moved%n", moved * 100, KEYS);
        assertThat(moved).isBetween(0.15, 0.30);
    }

    @Test
    void keysSpreadEvenlyAndStayPut() {
        BalancedCluster c = BalancedCluster.compile(hashed("ns/h:80", headerHash("x-user"), 5));
        InetSocketAddress[] first = owners(c);
        assertThat(moved(first, owners(c))).isZero();
        assertThat(moved(first, owners(BalancedCluster.compile(hashed("ns/h:80", headerHash("x-user"), 5)))))
                .isZero(); // a rebuilt table (a reload) is the same table
        Map<InetSocketAddress, Integer> counts = new TreeMap<>(java.util.Comparator.comparing(Object::toString));
        for (InetSocketAddress a : first) {
            counts.merge(a, 1, Integer::sum);
        }
        counts.values().forEach(n -> assertThat(n / (double) KEYS).isCloseTo(0.2, within(0.025)));
    }

    @Test
    void aDeadEndpointsKeysMoveAndOnlyThose() {
        EndpointHealthRegistry registry = new EndpointHealthRegistry(HealthPolicy.withActiveChecks());
        BalancedCluster c = BalancedCluster.compile(hashed("ns/h:80", headerHash("x-user"), 4), registry, null);
        InetSocketAddress[] before = owners(c);
        markUnhealthy(c.health().get(2));
        InetSocketAddress dead = c.endpoints().get(2);
        InetSocketAddress[] during = owners(c);
        for (int k = 0; k < KEYS; k++) {
            assertThat(during[k]).isNotEqualTo(dead);
            if (!before[k].equals(dead)) {
                assertThat(during[k]).isEqualTo(before[k]);
            }
        }
        c.health().get(2).probeSucceeded();
        c.health().get(2).probeSucceeded();
        assertThat(moved(before, owners(c))).isZero();
    }

    @Test
    void aRequestWithoutTheKeyGetsSomeEndpoint() {
        BalancedCluster c = BalancedCluster.compile(hashed("ns/h:80", headerHash("x-user"), 3));
        Map<InetSocketAddress, Integer> counts = new java.util.HashMap<>();
        for (int i = 0; i < 3000; i++) {
            counts.merge(c.pick(PickContext.NONE), 1, Integer::sum);
        }
        assertThat(counts).hasSize(3);
    }

    @Test
    void sourceIpAndQueryParamsAreKeysToo() {
        BalancedCluster bySource = BalancedCluster.compile(hashed("ns/h:80", new ConsistentHashSpec(
                ConsistentHashSpec.Source.SOURCE_IP, List.of(), null, 65537), 4));
        BalancerTesting.Request client = new BalancerTesting.Request(Map.of(), Map.of(), "192.0.2.7");
        InetSocketAddress first = bySource.pick(client);
        for (int i = 0; i < 100; i++) {
            assertThat(bySource.pick(client)).isEqualTo(first);
        }
        assertThat(bySource.algorithm()).isEqualTo("ConsistentHash(SourceIP, Maglev 65537)");
    }

    @Test
    void aMissingCookieIsGeneratedOnceAndThenHashed() {
        BalancedCluster c = BalancedCluster.compile(hashed("ns/h:80",
                cookieHash("lb", Duration.ofHours(1), Map.of("SameSite", "Strict", "Path", "/", "Secure", "")), 4));
        BalancerTesting.Request first = new BalancerTesting.Request(Map.of(), Map.of(), null);
        InetSocketAddress endpoint = c.pick(first);
        assertThat(first.generatedValue).matches("[0-9a-f]{16}");
        assertThat(c.pick(first)).isEqualTo(endpoint); // the request's second pick reuses the value
        assertThat(first.generated.setCookie(first.generatedValue))
                .isEqualTo("lb=" + first.generatedValue + "; Max-Age=3600; Path=/; SameSite=Strict; Secure");
        BalancerTesting.Request later = new BalancerTesting.Request(Map.of(), Map.of("lb", first.generatedValue), null);
        for (int i = 0; i < 50; i++) {
            assertThat(c.pick(later)).isEqualTo(endpoint);
        }
        assertThat(later.generatedValue).isNull();
    }

    @Test
    void badSettingsAreRejectedNamingTheCluster() {
        assertThatThrownBy(() -> BalancedCluster.compile(hashed("ns/h:80", new ConsistentHashSpec(
                ConsistentHashSpec.Source.HEADERS, List.of("x"), null, 65536), 3)))
                .hasMessageContaining("ns/h:80").hasMessageContaining("tableSize 65536");
        assertThatThrownBy(() -> BalancedCluster.compile(hashed("ns/h:80", new ConsistentHashSpec(
                ConsistentHashSpec.Source.HEADERS, List.of("x"), null, 3), 3)))
                .hasMessageContaining("must exceed the number of endpoints");
        assertThatThrownBy(() -> BalancedCluster.compile(hashed("ns/h:80",
                cookieHash("bad name", null, Map.of()), 3))).hasMessageContaining("consistentHash.cookie.name");
    }
}
