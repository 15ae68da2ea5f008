package dev.gatehouse.routing.route;

import dev.gatehouse.ir.HttpMatchSpec.PathMatchSpec;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.routing.filter.HttpExchange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.gatehouse.routing.Fixtures.exact;
import static dev.gatehouse.routing.Fixtures.exchange;
import static dev.gatehouse.routing.Fixtures.match;
import static dev.gatehouse.routing.Fixtures.prefix;
import static dev.gatehouse.routing.Fixtures.regex;
import static org.assertj.core.api.Assertions.assertThat;

class SegmentIndexedRulesTest {
    private static final String[] VALUES = {"/", "/a", "/a/", "/ab", "/a/b", "/a/b/", "/b", "/b/a", "//a", "/c/d/e", "a", ""};
    private static final String[] PATHS = {"/", "/a", "/a/", "/ab", "/a/b", "/a/bc", "/b", "/b/a", "//a", "/c", "/c/d/e",
            "/c/d/e/f", "a", "", "/x", "/ab/", "/A"};

    /** {@code n} rules of Exact, PathPrefix and regex matches over values that share and split segments. */
    static List<CompiledRoute> randomRules(Random random, int n) {
        List<CompiledRoute> rules = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String value = VALUES[random.nextInt(VALUES.length)];
            PathMatchSpec path = switch (random.nextInt(5)) {
                case 0, 1 -> exact(value);
                case 2, 3 -> prefix(value);
                default -> regex(value.isEmpty() ? ".*" : value + ".*");
            };
            rules.add(route(i, path));
        }
        return rules;
    }

    static CompiledRoute route(int index, PathMatchSpec path) {
        return new CompiledRoute(new RouteRef("HTTPRoute", "ns", "r", index, null, 0), "l",
                RequestMatcher.compile(match(path)), List.of(), List.of(), List.of(), TimeoutSpec.NONE);
    }

    private static CompiledRoute linearFirstMatch(List<CompiledRoute> rules, HttpExchange exchange) {
        for (CompiledRoute r : rules) {
            if (r.matches(exchange)) {
                return r;
            }
        }
        return null;
    }

    @Test
    void picksExactlyWhatALinearScanPicks() {
        Random random = new Random(42);
        for (int round = 0; round < 500; round++) {
            List<CompiledRoute> rules = randomRules(random, 1 + random.nextInt(12));
            SegmentIndexedRules index = SegmentIndexedRules.of(rules);
            for (String path : PATHS) {
                HttpExchange exchange = exchange("http", 80, "GET", "/", "h");
                HttpExchange withPath = new HttpExchange(exchange.request(), "http", 80, exchange.remoteAddress(), "h", path, null);
                assertThat(index.match(withPath)).as("round %d path '%s' rules %s", round, path, rules)
                        .isSameAs(linearFirstMatch(rules, withPath));
            }
        }
    }

    @Test
    void bucketsHoldOnlyPossibleRulesInOrder() {
        CompiledRoute users = route(0, prefix("/users"));
        CompiledRoute any = route(1, prefix("/"));
        CompiledRoute orders = route(2, exact("/orders/1"));
        CompiledRoute rx = route(3, regex("/.*"));
        SegmentIndexedRules index = SegmentIndexedRules.of(List.of(users, any, orders, rx));
        assertThat(index.candidates("/users/7")).containsExactly(users, any, rx);
        assertThat(index.candidates("/orders/1")).containsExactly(any, orders, rx);
        assertThat(index.candidates("/other")).containsExactly(any, rx);
        assertThat(index.candidates("*")).containsExactly(any, rx);
        assertThat(SegmentIndexedRules.of(List.of()).candidates("/x")).isEmpty();
    }
}
