package dev.gatehouse.routing.auth;

import dev.gatehouse.ir.SecurityPolicySpec;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.gatehouse.routing.auth.Exchanges.exchange;
import static org.assertj.core.api.Assertions.assertThat;

class SecurityFiltersTest {
    private static final String BCRYPT_HUNTER2 = "$2y$04$KmLtKsxap8Tuy7KJGXto2uMBX1DGFjWvbTnxrs.0nLu.3muo4gFYO";

    private static SecurityPolicySpec.ApiKeyAuthSpec keys(boolean sanitize) throws Exception {
        return new SecurityPolicySpec.ApiKeyAuthSpec(List.of(new SecurityPolicySpec.ApiKey("client1",
                MessageDigest.getInstance("SHA-256").digest("supersecret".getBytes(StandardCharsets.UTF_8)))),
                List.of(new SecurityPolicySpec.Extract(SecurityPolicySpec.Source.HEADER, List.of("x-api-key")),
                        new SecurityPolicySpec.Extract(SecurityPolicySpec.Source.PARAM, List.of("api_key")),
                        new SecurityPolicySpec.Extract(SecurityPolicySpec.Source.COOKIE, List.of("k"))),
                "x-client-id", sanitize);
    }

    /** Runs the filters as the proxy does, waiting for a suspension; the status answered, or 0 when forwarded. */
    private static int run(List<HttpFilter> filters, HttpExchange ex) throws Exception {
        for (HttpFilter f : filters) {
            FilterResult r = f.onRequest(ex);
            if (r instanceof FilterResult.Suspend s) {
                r = s.resume().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            if (r instanceof FilterResult.Respond respond) {
                FullHttpResponse response = respond.response();
                int status = response.status().code();
                if (status == 401) {
                    assertThat(response.headers().getAll("www-authenticate")).isNotEmpty();
                }
                response.release();
                return status;
            }
        }
        return 0;
    }

    @Test
    void apiKeysFromHeaderParamOrCookieAreCheckedSanitizedAndForwarded() throws Exception {
        List<HttpFilter> f = SecurityFilters.compile(new SecurityPolicySpec("ns/p", null, keys(true), null, null, null,
                Map.of()));
        assertThat(run(f, exchange("/"))).isEqualTo(401);
        assertThat(run(f, exchange("/", "x-api-key", "supersecreT"))).isEqualTo(401);
        assertThat(run(f, exchange("/", "authorization", "supersecret"))).isEqualTo(401);

        HttpExchange header = exchange("/", "x-api-key", "supersecret", "x-client-id", "spoofed");
        assertThat(run(f, header)).isZero();
        assertThat(header.request().headers().get("x-client-id")).isEqualTo("client1");
        assertThat(header.request().headers().contains("x-api-key")).isFalse();
        assertThat(header.consumer()).isEqualTo("client1");

        HttpExchange param = exchange("/p?a=1&api_key=supersecret&b=%20");
        assertThat(run(f, param)).isZero();
        assertThat(param.request().uri()).isEqualTo("/p?a=1&b=%20");

        HttpExchange cookie = exchange("/", "cookie", "x=1; k=supersecret; y=2");
        assertThat(run(f, cookie)).isZero();
        assertThat(cookie.request().headers().get("cookie")).isEqualTo("x=1; y=2");
    }

    @Test
    void basicAuthTakesShaSaltedShaAndBcryptOffTheCallingThread() throws Exception {
        SecurityPolicySpec.BasicAuthSpec users = new SecurityPolicySpec.BasicAuthSpec(List.of(
                new SecurityPolicySpec.HtpasswdUser("foo", "{SHA}Ys23Ag/5IOWqZCw9QGaVDdHwH00="),
                new SecurityPolicySpec.HtpasswdUser("bob", "{SSHA}AXZ7IyWQbQGYZs+tkB5Gv1Sb1qZzYWx0c2FsdA=="),
                new SecurityPolicySpec.HtpasswdUser("carol", BCRYPT_HUNTER2)), "x-username");
        List<HttpFilter> f = SecurityFilters.compile(new SecurityPolicySpec("ns/p", null, null, users, null, null,
                Map.of()));
        assertThat(run(f, exchange("/", "authorization", basic("foo:bar"), "x-username", "root"))).isZero();
        assertThat(run(f, exchange("/", "authorization", basic("foo:baz")))).isEqualTo(401);
        assertThat(run(f, exchange("/", "authorization", basic("bob:secret2")))).isZero();
        assertThat(run(f, exchange("/", "authorization", basic("bob:secret3")))).isEqualTo(401);

        HttpExchange carol = exchange("/", "authorization", basic("carol:hunter2"), "x-username", "root");
        assertThat(f.get(0).onRequest(carol)).as("a bcrypt check not cached yet suspends")
                .isInstanceOf(FilterResult.Suspend.class);
        HttpExchange again = exchange("/", "authorization", basic("carol:hunter2"));
        assertThat(run(f, again)).isZero();
        assertThat(f.get(0).onRequest(exchange("/", "authorization", basic("carol:hunter2"))))
                .as("a verified password is answered from the cache").isSameAs(FilterResult.CONTINUE);
        assertThat(again.request().headers().get("x-username")).isEqualTo("carol");
        assertThat(run(f, exchange("/", "authorization", basic("carol:hunter3")))).isEqualTo(401);
    }

    @Test
    void authorizationFirstMatchWinsOnConsumersGroupsCidrsAndMethods() throws Exception {
        SecurityPolicySpec.AuthorizationSpec authz = new SecurityPolicySpec.AuthorizationSpec(
                SecurityPolicySpec.Action.DENY, List.of(
                new SecurityPolicySpec.AuthorizationRule("no-10", SecurityPolicySpec.Action.DENY, List.of("10.1.0.0/16"),
                        Map.of(), List.of(), List.of(), List.of(), new SecurityPolicySpec.PathSpec(
                        SecurityPolicySpec.PathType.PATH_PREFIX, "/blocked", false)),
                new SecurityPolicySpec.AuthorizationRule("gold", SecurityPolicySpec.Action.ALLOW, List.of(), Map.of(),
                        List.of(), List.of("gold"), List.of(), null),
                new SecurityPolicySpec.AuthorizationRule("guest-reads", SecurityPolicySpec.Action.ALLOW, List.of(),
                        Map.of(), List.of("guest"), List.of(), List.of("GET"), null)));
        List<HttpFilter> f = SecurityFilters.compile(new SecurityPolicySpec("ns/p", null, keys(false), null, authz,
                "guest", Map.of("client1", List.of("gold"))));
        assertThat(run(f, exchange("/x", "x-api-key", "supersecret"))).isZero();
        assertThat(run(f, exchange("/blocked/x", "x-api-key", "supersecret"))).isEqualTo(403);
        HttpExchange anonymous = exchange("/x");
        assertThat(run(f, anonymous)).isZero();
        assertThat(anonymous.consumer()).isEqualTo("guest");
        assertThat(run(f, exchange("/x", "x-api-key", "wrong"))).as("a wrong key is not anonymous").isEqualTo(401);
    }

    @Test
    void corsAnswersAPreflightBeforeAuthentication() throws Exception {
        List<HttpFilter> f = SecurityFilters.compile(new SecurityPolicySpec("ns/p", null, keys(false), null, null, null,
                Map.of(), new dev.gatehouse.ir.FilterSpec.CorsSpec(List.of("https://*.example.com"), false,
                List.of("GET"), List.of(), List.of(), 5)));
        HttpRequest preflight = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.OPTIONS, "/");
        preflight.headers().add("origin", "https://app.example.com").add("access-control-request-method", "GET");
        FilterResult r = f.get(0).onRequest(new HttpExchange(preflight, "http", 8080,
                new InetSocketAddress("10.1.2.3", 5555), "example.com", "/", null));
        assertThat(r).isInstanceOf(FilterResult.Respond.class);
        FullHttpResponse response = ((FilterResult.Respond) r).response();
        assertThat(response.status().code()).isLessThan(300);
        assertThat(response.headers().get("access-control-allow-origin")).isEqualTo("https://app.example.com");
        response.release();
        assertThat(run(f, exchange("/"))).as("an actual request still needs its key").isEqualTo(401);
    }

    @Test
    void anInvalidPolicyAnswers500() throws Exception {
        assertThat(run(SecurityFilters.compile(SecurityPolicySpec.invalid("ns/p", "Secret missing")),
                exchange("/", "x-api-key", "supersecret"))).isEqualTo(500);
    }

    private static String basic(String userPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userPassword.getBytes(StandardCharsets.UTF_8));
    }
}
