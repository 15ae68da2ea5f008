package dev.gatehouse.routing.balance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SmoothWeightedRoundRobinTest {

    private static Map<String, Integer> count(SmoothWeightedRoundRobin<String> rr, int picks) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(rr.pick(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void oneToThreeIsExactOverAThousandPicks() {
        SmoothWeightedRoundRobin<String> rr = SmoothWeightedRoundRobin.of(List.of("a", "b"), List.of(1, 3));
        assertThat(count(rr, 1000)).containsEntry("a", 250).containsEntry("b", 750);
    }

    @ParameterizedTest(name = "weights {0} over {1} picks")
    @CsvSource(delimiter = ';', value = {
            "1 1;          1000",
            "70 30;        1000",
            "10 20 70;     1000",
            "1 0 1;        500",
            "3 1 1;        500",
            "999999 1;     2000000",   // total 1,000,000 > schedule limit: stride path
            "5000 3000 2000; 20000",   // reduced by gcd 1000 to 5:3:2 -> schedule
            "4099 4097;    8196",       // coprime, total > 4096: stride path
    })
    void sharesAreExactOverWholePeriods(String weightList, int picks) {
        List<Integer> weights = Arrays.stream(weightList.trim().split(" +")).map(Integer::valueOf).collect(Collectors.toList());
        List<String> items = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            items.add("b" + i);
        }
        SmoothWeightedRoundRobin<String> rr = SmoothWeightedRoundRobin.of(items, weights);
        Map<String, Integer> counts = count(rr, picks);
        long total = weights.stream().mapToLong(Integer::longValue).sum();
        for (int i = 0; i < weights.size(); i++) {
            long expected = (long) picks * weights.get(i) / total;
            assertThat(counts.getOrDefault("b" + i, 0)).as("b%d", i).isEqualTo((int) expected);
        }
    }

    @Test
    void orderIsNginxSmooth() {
        SmoothWeightedRoundRobin<String> rr = SmoothWeightedRoundRobin.of(List.of("a", "b", "c"), List.of(5, 1, 1));
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 14; i++) {
            order.append(rr.pick());
        }
        assertThat(order).hasToString("aabacaa" + "aabacaa");
    }

    @Test
    void strideOrderInterleavesLargeTotals() {
        SmoothWeightedRoundRobin<String> rr = SmoothWeightedRoundRobin.of(List.of("a", "b"), List.of(5001, 4999));
        // Within the first 100 picks both appear roughly half the time, not 100 a's in a row.
        assertThat(count(rr, 100).get("b")).isBetween(30, 70);
    }

    @Test
    void zeroWeightsAreNeverPickedAndAllZeroMeansNone() {
        SmoothWeightedRoundRobin<String> rr = SmoothWeightedRoundRobin.of(List.of("a", "b"), List.of(0, 2));
        assertThat(count(rr, 10)).containsOnlyKeys("b");
        assertThat(rr.items()).containsExactly("b");
        assertThat(SmoothWeightedRoundRobin.of(List.of("a", "b"), List.of(0, 0))).isNull();
        assertThat(SmoothWeightedRoundRobin.of(List.<String>of(), List.of())).isNull();
    }

    @Test
    void rejectsNegativeWeightsAndMismatchedLists() {
        assertThatThrownBy(() -> SmoothWeightedRoundRobin.of(List.of("a"), List.of(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SmoothWeightedRoundRobin.of(List.of("a"), List.of(1, 2)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
