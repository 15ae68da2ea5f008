package dev.gatehouse.routing.ratelimit;

import dev.gatehouse.ir.RateLimitSpec;
import dev.gatehouse.routing.filter.AuthOutcome;
import dev.gatehouse.routing.filter.FilterOutcomes;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.RateLimitOutcome;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitFilterTest {
    private final RateLimiters limiters = new RateLimiters();
    private final List<RateLimitOutcome> outcomes = new ArrayList<>();

    private static RateLimitSpec.Rule rule(RateLimitSpec.Scope scope, String bucket, List<RateLimitSpec.ValueMatch> headers,
                                           RateLimitSpec.CidrMatch cidr, long requests, RateLimitSpec.Unit unit) {
        return new RateLimitSpec.Rule(scope, bucket, headers, List.of(), null, cidr, List.of(), null, requests, unit, 1,
                false, true);
    }

    private static RateLimitSpec spec(RateLimitSpec.Rule... rules) {
        return new RateLimitSpec("BackendTrafficPolicy default/p", List.of(rules));
    }

    private HttpExchange exchange(String ip, String... headers) {
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        HttpExchange ex = new HttpExchange(request, "http", 80, new InetSocketAddress(ip, 40000), "h", "/", null);
        ex.outcomes(new FilterOutcomes() {
            @Override
            public void auth(AuthOutcome outcome) {
            }

            @Override
            public void rateLimit(RateLimitOutcome outcome) {
                outcomes.add(outcome);
            }
        });
        return ex;
    }

    /** @return the status of a refusal (released), or 0 when the request went on */
    private static int status(FilterResult r) {
        if (r instanceof FilterResult.Respond respond) {
            FullHttpResponse response = respond.response();
            int code = response.status().code();
            response.release();
            return code;
        }
        assertThat(r).isEqualTo(FilterResult.CONTINUE);
        return 0;
    }

    @Test
    void aLocalLimitLetsExactlyItsRequestsThroughThenAnswers429WithEgsHeaders() {
        RateLimitFilter filter = RateLimitFilter.compile(spec(rule(RateLimitSpec.Scope.LOCAL, "b", List.of(), null, 3,
                RateLimitSpec.Unit.HOUR)), limiters);
        for (int i = 2; i >= 0; i--) {
            HttpExchange ex = exchange("10.0.0.1");
            assertThat(status(filter.onRequest(ex))).isZero();
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            filter.onResponse(ex, response);
            assertThat(response.headers().get("x-ratelimit-limit")).isEqualTo("3");
            assertThat(response.headers().getInt("x-ratelimit-remaining")).isEqualTo(i);
            assertThat(response.headers().getInt("x-ratelimit-reset")).isBetween(1, 3600);
        }
        FilterResult refused = filter.onRequest(exchange("10.0.0.1"));
        FullHttpResponse r = ((FilterResult.Respond) refused).response();
        try {
            assertThat(r.status().code()).isEqualTo(429);
            assertThat(r.headers().get("x-ratelimit-limit")).isEqualTo("3");
            assertThat(r.headers().get("x-ratelimit-remaining")).isEqualTo("0");
            // a token comes back every 20 minutes
            assertThat(r.headers().getInt("retry-after")).isBetween(1190, 1200);
            assertThat(r.headers().getInt("x-ratelimit-reset")).isBetween(3590, 3600);
        } finally {
            r.release();
        }
        assertThat(outcomes).containsExactly(RateLimitOutcome.ALLOWED, RateLimitOutcome.ALLOWED,
                RateLimitOutcome.ALLOWED, RateLimitOutcome.LIMITED);
    }

    @Test
    void bucketsOutliveARecompileOfTheSameRule() {
        RateLimitSpec s = spec(rule(RateLimitSpec.Scope.LOCAL, "b", List.of(), null, 1, RateLimitSpec.Unit.DAY));
        RateLimitFilter first = RateLimitFilter.compile(s, limiters);
        assertThat(status(first.onRequest(exchange("10.0.0.1")))).isZero();
        RateLimitFilter reloaded = RateLimitFilter.compile(s, limiters);
        assertThat(status(reloaded.onRequest(exchange("10.0.0.1")))).isEqualTo(429);
    }

    @Test
    void distinctHeaderValuesAndClientAddressesEachHaveTheirOwnBucket() {
        RateLimitFilter byUser = RateLimitFilter.compile(spec(rule(RateLimitSpec.Scope.LOCAL, "u",
                List.of(new RateLimitSpec.ValueMatch("x-user-id", RateLimitSpec.MatchType.DISTINCT, null, false),
                        new RateLimitSpec.ValueMatch("x-user-id", RateLimitSpec.MatchType.EXACT, "admin", true)),
                null, 1, RateLimitSpec.Unit.MINUTE)), limiters);
        assertThat(status(byUser.onRequest(exchange("10.0.0.1", "x-user-id", "ann")))).isZero();
        assertThat(status(byUser.onRequest(exchange("10.0.0.1", "x-user-id", "ann")))).isEqualTo(429);
        assertThat(status(byUser.onRequest(exchange("10.0.0.1", "x-user-id", "bob")))).isZero();
        // the inverted exact match exempts admin; no header: the rule does not apply
        assertThat(status(byUser.onRequest(exchange("10.0.0.1", "x-user-id", "admin")))).isZero();
        assertThat(status(byUser.onRequest(exchange("10.0.0.1", "x-user-id", "admin")))).isZero();
        assertThat(status(byUser.onRequest(exchange("10.0.0.1")))).isZero();

        RateLimitFilter byIp = RateLimitFilter.compile(spec(rule(RateLimitSpec.Scope.LOCAL, "ip", List.of(),
                new RateLimitSpec.CidrMatch("10.0.0.0/8", true, false), 1, RateLimitSpec.Unit.MINUTE)), limiters);
        assertThat(status(byIp.onRequest(exchange("10.0.0.1")))).isZero();
        assertThat(status(byIp.onRequest(exchange("10.0.0.1")))).isEqualTo(429);
        assertThat(status(byIp.onRequest(exchange("10.0.0.2")))).isZero();
        assertThat(status(byIp.onRequest(exchange("192.168.0.1")))).isZero(); // outside the CIDR: not limited
        assertThat(status(byIp.onRequest(exchange("192.168.0.1")))).isZero();
    }

    @Test
    void aDistinctConsumerSelectorGivesEachAuthenticatedConsumerItsOwnBucket() {
        RateLimitFilter byConsumer = RateLimitFilter.compile(spec(new RateLimitSpec.Rule(RateLimitSpec.Scope.LOCAL,
                "c", List.of(), List.of(), null, null, List.of(),
                new RateLimitSpec.ValueMatch(null, RateLimitSpec.MatchType.DISTINCT, null, false), 1,
                RateLimitSpec.Unit.MINUTE, 1, false, true)), limiters);
        assertThat(status(byConsumer.onRequest(consumer(exchange("10.0.0.1"), "ann")))).isZero();
        assertThat(status(byConsumer.onRequest(consumer(exchange("10.0.0.2"), "ann")))).isEqualTo(429);
        assertThat(status(byConsumer.onRequest(consumer(exchange("10.0.0.1"), "bob")))).isZero();
        assertThat(status(byConsumer.onRequest(exchange("10.0.0.3")))).isZero(); // no consumer: not limited

        RateLimitFilter notAnn = RateLimitFilter.compile(spec(new RateLimitSpec.Rule(RateLimitSpec.Scope.LOCAL,
                "n", List.of(), List.of(), null, null, List.of(),
                new RateLimitSpec.ValueMatch(null, RateLimitSpec.MatchType.EXACT, "ann", true), 1,
                RateLimitSpec.Unit.MINUTE, 1, false, true)), limiters);
        assertThat(status(notAnn.onRequest(consumer(exchange("10.0.0.1"), "ann")))).isZero();
        assertThat(status(notAnn.onRequest(consumer(exchange("10.0.0.1"), "ann")))).isZero();
        assertThat(status(notAnn.onRequest(consumer(exchange("10.0.0.1"), "bob")))).isZero();
        assertThat(status(notAnn.onRequest(consumer(exchange("10.0.0.1"), "eve")))).isEqualTo(429);
    }

    private static HttpExchange consumer(HttpExchange ex, String id) {
        ex.consumer(id, List.of());
        return ex;
    }

    @Test
    void aFloodOfDistinctKeysIsBoundedInMemory() {
        LocalCounter counter = new LocalCounter(5, java.time.Duration.ofHours(1), true);
        long now = System.nanoTime();
        for (int i = 0; i < LocalCounter.MAX_KEYS + 20_000; i++) {
            counter.take("key-" + i, 1, now);
        }
        assertThat(counter.size()).isLessThanOrEqualTo(LocalCounter.MAX_KEYS);
    }

    @Test
    void theStrictestMatchingRuleDecides() {
        RateLimitFilter filter = RateLimitFilter.compile(spec(
                rule(RateLimitSpec.Scope.LOCAL, "all", List.of(), null, 100, RateLimitSpec.Unit.SECOND),
                rule(RateLimitSpec.Scope.LOCAL, "one", List.of(new RateLimitSpec.ValueMatch("x-user-id",
                        RateLimitSpec.MatchType.EXACT, "one", false)), null, 2, RateLimitSpec.Unit.HOUR)), limiters);
        assertThat(status(filter.onRequest(exchange("10.0.0.1", "x-user-id", "one")))).isZero();
        assertThat(status(filter.onRequest(exchange("10.0.0.1", "x-user-id", "one")))).isZero();
        assertThat(status(filter.onRequest(exchange("10.0.0.1", "x-user-id", "one")))).isEqualTo(429);
        assertThat(status(filter.onRequest(exchange("10.0.0.1", "x-user-id", "two")))).isZero();
    }

    @Test
    void globalRulesSuspendUntilTheStoreAnswers() {
        CompletableFuture<Quota> answer = new CompletableFuture<>();
        AtomicInteger asked = new AtomicInteger();
        limiters.global((key, limit, window, cost) -> {
            asked.incrementAndGet();
            assertThat(key).isEqualTo("g|ann");
            assertThat(window).isEqualTo(60_000);
            return answer;
        }, false);
        RateLimitFilter filter = RateLimitFilter.compile(spec(rule(RateLimitSpec.Scope.GLOBAL, "g",
                List.of(new RateLimitSpec.ValueMatch("x-user-id", RateLimitSpec.MatchType.DISTINCT, null, false)),
                null, 10, RateLimitSpec.Unit.MINUTE)), limiters);
        HttpExchange ex = exchange("10.0.0.1", "x-user-id", "ann");
        FilterResult r = filter.onRequest(ex);
        assertThat(r).isInstanceOf(FilterResult.Suspend.class);
        CompletableFuture<FilterResult> resumed = ((FilterResult.Suspend) r).resume().toCompletableFuture();
        assertThat(resumed).isNotDone();
        answer.complete(new Quota(false, 0, 30_000, 30_000));
        FullHttpResponse response = ((FilterResult.Respond) resumed.join()).response();
        try {
            assertThat(response.status().code()).isEqualTo(429);
            assertThat(response.headers().get("x-ratelimit-limit")).isEqualTo("10, 10;w=60");
            assertThat(response.headers().get("retry-after")).isEqualTo("30");
            assertThat(response.headers().contains("x-envoy-ratelimited")).isFalse();
        } finally {
            response.release();
        }
        assertThat(asked).hasValue(1);
    }

    @Test
    void aStoreThatCannotAnswerFailsOpenByDefaultAndClosedWhenAsked() {
        limiters.global((key, limit, window, cost) -> CompletableFuture.failedFuture(new RuntimeException("down")),
                false);
        RateLimitFilter filter = RateLimitFilter.compile(spec(rule(RateLimitSpec.Scope.GLOBAL, "g", List.of(), null,
                10, RateLimitSpec.Unit.MINUTE)), limiters);
        FilterResult open = ((FilterResult.Suspend) filter.onRequest(exchange("10.0.0.1"))).resume()
                .toCompletableFuture().join();
        assertThat(status(open)).isZero();
        limiters.global((key, limit, window, cost) -> CompletableFuture.failedFuture(new RuntimeException("down")),
                true);
        FilterResult closed = ((FilterResult.Suspend) filter.onRequest(exchange("10.0.0.1"))).resume()
                .toCompletableFuture().join();
        assertThat(status(closed)).isEqualTo(503);
        assertThat(outcomes).containsExactly(RateLimitOutcome.ERROR, RateLimitOutcome.ERROR);
    }
}
