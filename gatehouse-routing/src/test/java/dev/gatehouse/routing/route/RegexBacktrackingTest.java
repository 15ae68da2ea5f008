package dev.gatehouse.routing.route;

import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.HeaderMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.QueryParamMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.ValueMatchType;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.balance.RoundRobinCluster;
import dev.gatehouse.routing.filter.HttpExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static dev.gatehouse.routing.Fixtures.backend;
import static dev.gatehouse.routing.Fixtures.cluster;
import static dev.gatehouse.routing.Fixtures.exchange;
import static dev.gatehouse.routing.Fixtures.listener;
import static dev.gatehouse.routing.Fixtures.match;
import static dev.gatehouse.routing.Fixtures.prefix;
import static dev.gatehouse.routing.Fixtures.regex;
import static dev.gatehouse.routing.Fixtures.rule;
import static dev.gatehouse.routing.Fixtures.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Regexes that make a backtracking engine take exponential time (or overflow its stack) on a crafted path,
 * header or query value, as measured with java.util.regex: each match now takes time linear in the input
 * (well under a second of CPU for 5,000 characters), routing and explain still agree, and what RE2
 * cannot express is refused when the snapshot is compiled.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RegexBacktrackingTest {
    private static final Duration BOUND = Duration.ofSeconds(1);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** (pattern, length of the attack value: "/" + 'a' x (length - 2) + "b") */
    @ParameterizedTest(name = "{0} against {1} chars")
    @CsvSource(delimiter = ' ', value = {
            "/(.*a){12}$ 31",
            "/(.*a){12}$ 5000",
            "/(a+)+$ 5000",
            "/(a|a)+$ 5000"})
    void attackValuesAreRefusedInBoundedTime(String pattern, int length) {
        String attack = "/" + "a".repeat(length - 2) + "b";
        String matching = "/" + "a".repeat(length - 1);
        for (Condition c : Condition.values()) {
            RequestMatcher m = RequestMatcher.compile(c.spec.apply(pattern));
            assertBounded(c + " " + pattern, () -> assertThat(m.matches(c.exchange(attack))).isFalse());
            assertBounded(c + " explain " + pattern, () -> assertThat(m.explain(c.exchange(attack)))
                    .contains("does not match"));
            assertBounded(c + " " + pattern, () -> assertThat(m.matches(c.exchange(matching))).isTrue());
            assertBounded(c + " explain " + pattern, () -> assertThat(m.explain(c.exchange(matching))).isNull());
        }
    }

    @Test
    void routerAndTraceAgreeOnAnAttackPath() {
        Map<String, Cluster> clusters = Map.of("v1", RoundRobinCluster.compile(cluster("v1", 9000)),
                "v2", RoundRobinCluster.compile(cluster("v2", 9001)));
        HostIndexedPortRouter router = HostIndexedPortRouter.compile(new PortSpec(18080, Protocol.HTTP, List.of(
                listener("l", null, vhost("*",
                        rule("evil", 0, match(regex("/(a|a)+$")), backend("v1", 1)),
                        rule("rest", 1, match(prefix("/")), backend("v2", 1)))))), clusters);
        HttpExchange attack = exchange("GET", "/" + "a".repeat(4998) + "b", "h");
        assertBounded("route", () -> {
            Route routed = router.route(attack);
            MatchTrace trace = router.trace(attack);
            assertThat(routed).isNotNull().isSameAs(trace.route());
            assertThat(routed.ref().name()).isEqualTo("rest");
            assertThat(trace.rules().get(0).failure()).contains("does not match RegularExpression /(a|a)+$");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"/(\\w+)/\\1", "/a(?=b)", "/(?<!x)a", "/a*+", "/(?>a+)"})
    void whatRe2CannotExpressIsRefusedAtCompileTime(String pattern) {
        for (Condition c : Condition.values()) {
            assertThatThrownBy(() -> RequestMatcher.compile(c.spec.apply(pattern)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RegularExpression");
        }
    }

    /**
     * Bounds the CPU time of the check's thread, not the time on the clock: a loaded machine stretches the latter
     * many times over (java.util.regex on the 31-character attack: 2.2 s of CPU, 45 s on the clock at load 18).
     */
    private static void assertBounded(String what, Runnable check) {
        long start = THREADS.getCurrentThreadCpuTime();
        check.run();
        assertThat(Duration.ofNanos(THREADS.getCurrentThreadCpuTime() - start)).as(what + " (CPU time)")
                .isLessThan(BOUND);
    }

    private enum Condition {
        PATH(p -> match(regex(p))),
        HEADER(p -> match(prefix("/"), null,
                List.of(new HeaderMatchSpec(ValueMatchType.REGULAR_EXPRESSION, "x-v", p)), List.of())),
        QUERY(p -> match(prefix("/"), null, List.of(),
                List.of(new QueryParamMatchSpec(ValueMatchType.REGULAR_EXPRESSION, "v", p))));

        final Function<String, HttpMatchSpec> spec;

        Condition(Function<String, HttpMatchSpec> spec) {
            this.spec = spec;
        }

        HttpExchange exchange(String value) {
            return switch (this) {
                case PATH -> dev.gatehouse.routing.Fixtures.exchange("GET", value, "h");
                case HEADER -> dev.gatehouse.routing.Fixtures.exchange("GET", "/", "h", "x-v", value);
                case QUERY -> dev.gatehouse.routing.Fixtures.exchange("GET", "/?v=" + value, "h");
            };
        }
    }
}
