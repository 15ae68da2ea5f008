package dev.gatehouse.proxy.resilience;

import dev.gatehouse.ir.RetrySpec;
import dev.gatehouse.proxy.resilience.RetryTriggers.Failure;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Envoy Gateway's trigger names against failures and answers, and the full-jitter back-off's range and mean. */
class RetryTriggersTest {
    private static RetrySpec spec(List<Integer> codes, String... triggers) {
        return new RetrySpec(2, Set.of(triggers), codes, null, Duration.ofMillis(10), Duration.ofSeconds(1), "test");
    }

    @Test
    void withoutTriggersConnectionErrorsAreRetriedAndOnlyTheNamedCodes() {
        RetrySpec s = spec(List.of(500));
        for (Failure f : Failure.values()) {
            assertThat(RetryTriggers.retries(s, f)).as(f.name()).isTrue();
        }
        assertThat(RetryTriggers.retries(s, 500, null)).isTrue();
        assertThat(RetryTriggers.retries(s, 503, null)).isFalse();
    }

    @Test
    void triggersSelectFailuresAndAnswers() {
        assertThat(RetryTriggers.retries(spec(List.of(), "connect-failure"), Failure.CONNECT)).isTrue();
        assertThat(RetryTriggers.retries(spec(List.of(), "connect-failure"), Failure.RESET)).isFalse();
        assertThat(RetryTriggers.retries(spec(List.of(), "reset-before-request"), Failure.RESET_BEFORE_REQUEST)).isTrue();
        assertThat(RetryTriggers.retries(spec(List.of(), "reset-before-request"), Failure.RESET)).isFalse();
        assertThat(RetryTriggers.retries(spec(List.of(), "refused-stream"), Failure.REFUSED_STREAM)).isTrue();
        assertThat(RetryTriggers.retries(spec(List.of(), "reset"), Failure.TIMEOUT)).isTrue();
        assertThat(RetryTriggers.retries(spec(List.of(), "5xx"), 501, null)).isTrue();
        assertThat(RetryTriggers.retries(spec(List.of(), "gateway-error"), 500, null)).isFalse();
        assertThat(RetryTriggers.retries(spec(List.of(), "gateway-error"), 504, null)).isTrue();
        assertThat(RetryTriggers.retries(spec(List.of(), "retriable-4xx"), 409, null)).isTrue();
        assertThat(RetryTriggers.retries(spec(List.of(), "retriable-4xx"), 404, null)).isFalse();
        assertThat(RetryTriggers.retries(spec(List.of(503), "retriable-status-codes"), 503, null)).isTrue();
        RetrySpec grpc = spec(List.of(), "unavailable", "resource-exhausted", "cancelled", "deadline-exceeded",
                "internal");
        for (String code : List.of("1", "4", "8", "13", "14")) {
            assertThat(RetryTriggers.retries(grpc, 200, code)).as("grpc-status " + code).isTrue();
        }
        assertThat(RetryTriggers.retries(grpc, 200, "2")).isFalse();
        assertThat(RetryTriggers.retries(spec(List.of(), "unavailable"), 200, "13")).isFalse();
    }

    @Test
    void backOffIsUniformUpToTheExponentialCeiling() {
        RetrySpec s = spec(List.of());
        long ceiling = TimeUnit.MILLISECONDS.toNanos(80); // 10 ms * 2^3
        long sum = 0;
        int n = 4000;
        for (int i = 0; i < n; i++) {
            long b = RetryTriggers.backOffNanos(s, 3);
            assertThat(b).isBetween(0L, ceiling - 1);
            sum += b;
        }
        assertThat((double) sum / n).as("mean of a uniform draw").isBetween(ceiling * 0.45, ceiling * 0.55);
        for (int i = 0; i < 200; i++) {
            assertThat(RetryTriggers.backOffNanos(s, 20)).as("capped at maxInterval")
                    .isLessThan(TimeUnit.SECONDS.toNanos(1));
        }
    }
}
