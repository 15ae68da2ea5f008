package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.ExtAuthSpec;
import dev.gatehouse.ir.FilterSpec;
import dev.gatehouse.ir.SecurityPolicySpec;
import dev.gatehouse.routing.auth.SecurityFilters;
import dev.gatehouse.routing.balance.Cluster;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

class ExtAuthFilterTest {
    private static final Cluster AUTH = new Cluster() {
        @Override
        public String name() {
            return "auth/ext-auth:9002";
        }

        @Override
        public List<InetSocketAddress> endpoints() {
            return List.of(new InetSocketAddress("127.0.0.1", 9));
        }

        @Override
        public InetSocketAddress pick() {
            return endpoints().get(0);
        }
    };

    /** Answers every call with {@code answer} (or fails with {@code error}) and keeps what was asked. */
    private static final class FakeCalls implements UpstreamCalls {
        final List<HttpRequest> asked = new ArrayList<>();
        final List<Duration> timeouts = new ArrayList<>();
        Answer answer;
        Throwable error;

        @Override
        public CompletableFuture<Answer> call(Cluster cluster, HttpRequest head, Duration timeout, int maxBodyBytes) {
            assertThat(cluster).isSameAs(AUTH);
            asked.add(head);
            timeouts.add(timeout);
            ((FullHttpRequest) head).release();
            return error != null ? CompletableFuture.failedFuture(error) : CompletableFuture.completedFuture(answer);
        }
    }

    private static ExtAuthSpec spec(String prefix, boolean all, boolean failOpen, int statusOnError) {
        return new ExtAuthSpec("SecurityPolicy ns/p", List.of(new ExtAuthSpec.Backend(AUTH.name(), 1, null)), prefix,
                null, List.of("x-api-key"), all ? List.of() : List.of("x-current-user"), all, Duration.ofSeconds(2),
                failOpen, statusOnError);
    }

    private static ExtAuthFilter filter(ExtAuthSpec spec) {
        return ExtAuthFilter.compile(spec, name -> name.equals(AUTH.name()) ? AUTH : null);
    }

    private static HttpExchange exchange(FakeCalls calls, List<AuthOutcome> outcomes, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/hello?x=1");
        r.headers().add("host", "www.example.com").add("content-length", "5").add("cookie", "c=1");
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        HttpExchange ex = new HttpExchange(r, "http", 8080, new InetSocketAddress("10.1.2.3", 5555), "www.example.com",
                "/hello", "x=1");
        ex.upstreamCalls(calls);
        ex.outcomes(new FilterOutcomes() {
            @Override
            public void auth(AuthOutcome outcome) {
                outcomes.add(outcome);
            }

            @Override
            public void rateLimit(RateLimitOutcome outcome) {
            }
        });
        return ex;
    }

    private static FilterResult run(HttpFilter f, HttpExchange ex) throws Exception {
        FilterResult r = f.onRequest(ex);
        assertThat(r).isInstanceOf(FilterResult.Suspend.class);
        return ((FilterResult.Suspend) r).resume().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static UpstreamCalls.Answer answer(int status, String body, String... headers) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1]);
        }
        return new UpstreamCalls.Answer(status, h, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void asksWithMethodPrefixedPathAndTheChosenHeadersThenCopiesTheNamedAnswerHeadersUpstream() throws Exception {
        FakeCalls calls = new FakeCalls();
        calls.answer = answer(200, "", "x-current-user", "alice", "x-other", "no", "content-type", "text/plain");
        List<AuthOutcome> outcomes = new ArrayList<>();
        HttpExchange ex = exchange(calls, outcomes, "authorization", "Bearer t", "x-api-key", "k1",
                "x-current-user", "spoofed");

        assertThat(run(filter(spec("/auth", false, false, 403)), ex)).isEqualTo(FilterResult.CONTINUE);

        HttpRequest check = calls.asked.get(0);
        assertThat(check.method()).isEqualTo(HttpMethod.POST);
        assertThat(check.uri()).isEqualTo("/auth/hello?x=1");
        assertThat(check.headers().get("host")).isEqualTo("www.example.com");
        assertThat(check.headers().get("authorization")).isEqualTo("Bearer t");
        assertThat(check.headers().get("x-api-key")).isEqualTo("k1");
        assertThat(check.headers().get("content-length")).isEqualTo("0");
        assertThat(check.headers().contains("cookie")).isFalse();
        assertThat(check.headers().contains("x-current-user")).as("the client's copy is never the service's").isFalse();
        assertThat(calls.timeouts).containsExactly(Duration.ofSeconds(2));

        HttpHeaders upstream = ex.request().headers();
        assertThat(upstream.getAll("x-current-user")).containsExactly("alice");
        assertThat(upstream.contains("x-other")).isFalse();
        assertThat(upstream.get("content-length")).isEqualTo("5");
        assertThat(outcomes).containsExactly(AuthOutcome.ALLOWED);
    }

    @Test
    void aClientCopyOfAHeaderToBackendIsRemovedEvenWhenTheServiceDoesNotSetIt() throws Exception {
        FakeCalls calls = new FakeCalls();
        calls.answer = answer(204, "");
        HttpExchange ex = exchange(calls, new ArrayList<>(), "x-current-user", "spoofed");
        assertThat(run(filter(spec(null, false, false, 403)), ex)).isEqualTo(FilterResult.CONTINUE);
        assertThat(calls.asked.get(0).uri()).isEqualTo("/hello?x=1");
        assertThat(ex.request().headers().contains("x-current-user")).isFalse();
    }

    @Test
    void everyAnswerHeaderButFramingAndBodyOnesGoesUpstreamWhenNoneAreNamed() throws Exception {
        FakeCalls calls = new FakeCalls();
        calls.answer = answer(200, "ok", "x-user", "bob", "content-type", "text/plain", "content-length", "2",
                "connection", "keep-alive", "host", "evil");
        HttpExchange ex = exchange(calls, new ArrayList<>());
        assertThat(run(filter(spec(null, true, false, 403)), ex)).isEqualTo(FilterResult.CONTINUE);
        HttpHeaders upstream = ex.request().headers();
        assertThat(upstream.get("x-user")).isEqualTo("bob");
        assertThat(upstream.contains("content-type")).isFalse();
        assertThat(upstream.get("content-length")).isEqualTo("5");
        assertThat(upstream.get("host")).isEqualTo("www.example.com");
        assertThat(upstream.contains("connection")).isFalse();
    }

    @Test
    void aDenialIsTheClientsAnswerWithTheServicesStatusHeadersAndBody() throws Exception {
        FakeCalls calls = new FakeCalls();
        calls.answer = answer(401, "who are you?", "www-authenticate", "Bearer realm=\"x\"", "content-length", "99",
                "transfer-encoding", "chunked", "x-reason", "no token");
        List<AuthOutcome> outcomes = new ArrayList<>();
        FilterResult r = run(filter(spec(null, false, false, 403)), exchange(calls, outcomes));
        FullHttpResponse response = ((FilterResult.Respond) r).response();
        try {
            assertThat(response.status().code()).isEqualTo(401);
            assertThat(response.content().toString(StandardCharsets.UTF_8)).isEqualTo("who are you?");
            assertThat(response.headers().get("www-authenticate")).isEqualTo("Bearer realm=\"x\"");
            assertThat(response.headers().get("x-reason")).isEqualTo("no token");
            assertThat(response.headers().getInt("content-length")).isEqualTo(12);
            assertThat(response.headers().contains("transfer-encoding")).isFalse();
        } finally {
            response.release();
        }
        assertThat(outcomes).containsExactly(AuthOutcome.UNAUTHENTICATED);

        calls.answer = answer(403, "no");
        outcomes.clear();
        FullHttpResponse forbidden = ((FilterResult.Respond) run(filter(spec(null, false, false, 403)),
                exchange(calls, outcomes))).response();
        assertThat(forbidden.status().code()).isEqualTo(403);
        forbidden.release();
        assertThat(outcomes).containsExactly(AuthOutcome.DENIED);
    }

    @Test
    void aFailedCheckFailsClosedWithStatusOnErrorUnlessFailOpen() throws Exception {
        FakeCalls calls = new FakeCalls();
        calls.error = new TimeoutException("no answer in time");
        List<AuthOutcome> outcomes = new ArrayList<>();
        FullHttpResponse closed = ((FilterResult.Respond) run(filter(spec(null, false, false, 403)),
                exchange(calls, outcomes))).response();
        assertThat(closed.status().code()).as("EG's statusOnError default").isEqualTo(403);
        assertThat(closed.content().toString(StandardCharsets.UTF_8)).isEqualTo(ExtAuthFilter.ERROR_BODY);
        closed.release();

        calls.error = new ConnectException("Connection refused");
        FullHttpResponse unavailable = ((FilterResult.Respond) run(filter(spec(null, false, false, 503)),
                exchange(calls, outcomes))).response();
        assertThat(unavailable.status().code()).isEqualTo(503);
        unavailable.release();

        assertThat(run(filter(spec(null, false, true, 403)), exchange(calls, outcomes))).isEqualTo(FilterResult.CONTINUE);
        assertThat(outcomes).containsExactly(AuthOutcome.ERROR, AuthOutcome.ERROR, AuthOutcome.ERROR);
    }

    @Test
    void pathOverrideReplacesThePathAndAnUnresolvedServiceAnswers500() throws Exception {
        FakeCalls calls = new FakeCalls();
        calls.answer = answer(200, "");
        ExtAuthSpec override = new ExtAuthSpec("SecurityPolicy ns/p", List.of(new ExtAuthSpec.Backend(AUTH.name(), 1,
                null)), null, "/check", List.of(), List.of(), false, null, false, 403);
        assertThat(run(filter(override), exchange(calls, new ArrayList<>()))).isEqualTo(FilterResult.CONTINUE);
        assertThat(calls.asked.get(0).uri()).isEqualTo("/check");

        ExtAuthSpec unresolved = new ExtAuthSpec("ExternalAuth filter", List.of(new ExtAuthSpec.Backend(null, 1,
                "Service auth/gone does not exist")), null, null, List.of(), List.of(), true, null, false, 403);
        ExtAuthFilter f = filter(unresolved);
        FilterResult r = f.onRequest(exchange(calls, new ArrayList<>()));
        FullHttpResponse response = ((FilterResult.Respond) r).response();
        assertThat(response.status().code()).isEqualTo(500);
        assertThat(response.content().toString(StandardCharsets.UTF_8)).contains("Service auth/gone does not exist");
        response.release();
        assertThat(f.describe()).contains("unusable");
    }

    @Test
    void extAuthRunsAfterCorsAndBeforeAuthenticationAndTheRouteFilterCompilesToo() {
        SecurityPolicySpec policy = new SecurityPolicySpec("ns/p", null, null, null, null, null, Map.of(),
                new FilterSpec.CorsSpec(List.of("*"), false, List.of(), List.of(), List.of(), 5), null, null,
                spec(null, false, false, 403));
        List<HttpFilter> filters = SecurityFilters.compile(policy, name -> AUTH);
        assertThat(filters).extracting(HttpFilter::type)
                .containsExactly("CORS", "ExtAuth", "Authentication", "Authorization");
        assertThat(filters.get(1).describe()).isEqualTo("ExtAuth (SecurityPolicy ns/p) -> auth/ext-auth:9002,"
                + " timeout 2000 ms, fails closed with 403");

        HttpFilter route = new FilterCompiler(name -> AUTH).compileAll(List.of(new FilterSpec.ExternalAuthSpec(
                spec("/auth", true, false, 403)))).get(0);
        assertThat(route).isInstanceOf(ExtAuthFilter.class);
        assertThat(route.sideEffectFree()).isFalse();
    }
}
