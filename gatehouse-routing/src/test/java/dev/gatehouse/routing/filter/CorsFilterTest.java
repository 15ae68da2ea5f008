package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.FilterSpec.CorsSpec;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.gatehouse.routing.Fixtures.exchange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every check of HTTPRouteCORS in cases.json, on the four filters of its manifests. */
class CorsFilterTest {
    private static final CorsFilter CORS_1 = CorsFilter.compile(new CorsSpec(
            List.of("https://www.foo.com", "https://*.bar.com"), true, List.of("GET", "OPTIONS"),
            List.of("x-header-1", "x-header-2"), List.of("x-header-3", "x-header-4"), 3600));
    private static final CorsFilter CORS_2 = CorsFilter.compile(new CorsSpec(
            List.of("https://www.foo.com"), false, List.of("*"), List.of(), List.of(), 0));
    private static final CorsFilter WILDCARD_ORIGIN = CorsFilter.compile(new CorsSpec(
            List.of("*"), false, List.of("PUT"), List.of(), List.of(), 0));
    private static final CorsFilter WILDCARD_ALL_CREDENTIALS = CorsFilter.compile(new CorsSpec(
            List.of("*"), true, List.of("*"), List.of("*"), List.of(), 0));
    private static final CorsFilter WILDCARD_ALL_UNAUTH = CorsFilter.compile(new CorsSpec(
            List.of("*"), false, List.of("*"), List.of("*"), List.of(), 0));

    /** Runs a preflight; returns the response headers after checking status and releasing the response. */
    private static HttpHeaders preflight(CorsFilter filter, String... headers) {
        FilterResult result = filter.onRequest(exchange("OPTIONS", "/cors", "example.com", headers));
        assertThat(result).isInstanceOf(FilterResult.Respond.class);
        FullHttpResponse response = ((FilterResult.Respond) result).response();
        try {
            assertThat(response.status().code()).isIn(200, 204);
            assertThat(response.content().readableBytes()).isZero();
            return response.headers().copy();
        } finally {
            response.release();
        }
    }

    /** Runs a non-preflight request through onRequest (must continue) and onResponse. */
    private static HttpHeaders simple(CorsFilter filter, String method, String... headers) {
        HttpExchange exchange = exchange(method, "/cors", "example.com", headers);
        assertThat(filter.onRequest(exchange)).isSameAs(FilterResult.CONTINUE);
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        filter.onResponse(exchange, response);
        return response.headers();
    }

    private static void oneOf(HttpHeaders headers, String name, String... allowed) {
        String value = headers.get(name);
        assertThat(value).as(name).isNotNull();
        List<String> normalized = Arrays.stream(allowed).map(v -> v.replace(" ", "")).toList();
        assertThat(value.replace(" ", "")).as(name).isIn(normalized);
    }

    @Test
    void preflightFromExactOrigin() {
        HttpHeaders h = preflight(CORS_1, "Origin", "https://www.foo.com", "access-control-request-method", "GET",
                "access-control-request-headers", "x-header-1, x-header-2");
        oneOf(h, "access-control-allow-origin", "https://www.foo.com");
        oneOf(h, "access-control-allow-methods", "GET, OPTIONS", "OPTIONS, GET");
        oneOf(h, "access-control-allow-headers", "x-header-1, x-header-2", "x-header-2, x-header-1");
        oneOf(h, "access-control-expose-headers", "x-header-3, x-header-4", "x-header-4, x-header-3");
        oneOf(h, "access-control-max-age", "3600");
        oneOf(h, "access-control-allow-credentials", "true");
    }

    @Test
    void preflightFromWildcardOriginsAnyNumberOfLabels() {
        for (String origin : List.of("https://www.bar.com", "https://xpto.www.bar.com")) {
            HttpHeaders h = preflight(CORS_1, "Origin", origin, "access-control-request-method", "GET",
                    "access-control-request-headers", "x-header-1, x-header-2");
            oneOf(h, "access-control-allow-origin", origin);
            oneOf(h, "access-control-allow-methods", "GET, OPTIONS", "OPTIONS, GET");
            oneOf(h, "access-control-max-age", "3600");
            oneOf(h, "access-control-allow-credentials", "true");
        }
    }

    @Test
    void preflightFromNonMatchingOriginGetsNoCorsHeaders() {
        HttpHeaders h = preflight(CORS_1, "Origin", "https://foobar.com", "access-control-request-method", "GET");
        assertThat(h.contains("access-control-allow-origin")).isFalse();
        assertThat(h.contains("access-control-allow-credentials")).isFalse();
        assertThat(preflight(CORS_1, "Origin", "https://bar.com", "access-control-request-method", "GET")
                .contains("access-control-allow-origin")).isFalse();
    }

    @Test
    void simpleRequestsFromMatchingOriginsGetAllowOrigin() {
        assertThat(simple(CORS_1, "GET", "Origin", "https://www.foo.com", "access-control-request-method", "GET")
                .get("access-control-allow-origin")).isEqualTo("https://www.foo.com");
        HttpHeaders h = simple(CORS_1, "GET", "Origin", "https://www.bar.com");
        assertThat(h.get("access-control-allow-origin")).isEqualTo("https://www.bar.com");
        assertThat(h.get("access-control-expose-headers")).isEqualTo("x-header-3, x-header-4");
        assertThat(h.get("access-control-allow-credentials")).isEqualTo("true");
        assertThat(h.get("vary")).isEqualTo("Origin");
    }

    @Test
    void simpleRequestFromNonMatchingOriginGetsNothing() {
        HttpHeaders h = simple(CORS_1, "GET", "Origin", "https://foobar.com", "access-control-request-method", "GET");
        assertThat(h.contains("access-control-allow-origin")).isFalse();
        assertThat(simple(CORS_1, "GET").isEmpty()).isTrue();
    }

    @Test
    void wildcardMethodsEchoTheRequestedMethodWithoutCredentials() {
        HttpHeaders h = preflight(CORS_2, "Origin", "https://www.foo.com", "access-control-request-method", "POST");
        oneOf(h, "access-control-allow-methods", "POST", "*");
        assertThat(h.get("access-control-allow-origin")).isEqualTo("https://www.foo.com");
        assertThat(h.contains("access-control-allow-credentials")).isFalse();
        assertThat(h.get("access-control-max-age")).isEqualTo("5"); // spec default
    }

    @Test
    void wildcardOriginWithAndWithoutPort() {
        for (String origin : List.of("https://foobar.com", "https://foobar.com:12345")) {
            HttpHeaders h = preflight(WILDCARD_ORIGIN, "Origin", origin, "access-control-request-method", "PUT");
            oneOf(h, "access-control-allow-origin", origin, "*");
            oneOf(h, "access-control-allow-methods", "PUT");
            assertThat(h.contains("Access-Control-Allow-Credentials")).isFalse();

            HttpHeaders s = simple(WILDCARD_ORIGIN, "PUT", "Origin", origin);
            oneOf(s, "access-control-allow-origin", origin, "*");
            assertThat(s.contains("Access-Control-Allow-Credentials")).isFalse();
        }
    }

    @Test
    void wildcardsWithCredentialsEchoOriginMethodAndHeaders() {
        HttpHeaders h = preflight(WILDCARD_ALL_CREDENTIALS, "Origin", "https://other.foo.com",
                "access-control-request-method", "PUT", "access-control-request-headers", "x-header-1, x-header-2");
        oneOf(h, "access-control-allow-origin", "https://other.foo.com");
        oneOf(h, "access-control-allow-methods", "PUT");
        oneOf(h, "access-control-allow-headers", "x-header-1, x-header-2", "x-header-2, x-header-1");
        oneOf(h, "access-control-allow-credentials", "true");

        HttpHeaders s = simple(WILDCARD_ALL_CREDENTIALS, "GET", "Origin", "https://other.foo.com");
        oneOf(s, "access-control-allow-origin", "https://other.foo.com");
        oneOf(s, "access-control-allow-credentials", "true");
    }

    @Test
    void wildcardsWithoutCredentialsHideCredentialsHeader() {
        HttpHeaders h = preflight(WILDCARD_ALL_UNAUTH, "Origin", "https://other.foo.com",
                "access-control-request-method", "PUT", "access-control-request-headers", "x-header-1, x-header-2");
        oneOf(h, "access-control-allow-origin", "https://other.foo.com", "*");
        oneOf(h, "access-control-allow-methods", "PUT", "*");
        oneOf(h, "access-control-allow-headers", "x-header-1, x-header-2", "x-header-2, x-header-1", "*");
        assertThat(h.contains("access-control-allow-credentials")).isFalse();

        HttpHeaders s = simple(WILDCARD_ALL_UNAUTH, "GET", "Origin", "https://other.foo.com");
        oneOf(s, "access-control-allow-origin", "https://other.foo.com", "*");
        assertThat(s.contains("access-control-allow-credentials")).isFalse();
    }

    @Test
    void wildcardHeadersWithoutRequestHeadersOmitAllowHeaders() {
        HttpHeaders h = preflight(WILDCARD_ALL_CREDENTIALS, "Origin", "https://a.com", "access-control-request-method", "GET");
        assertThat(h.contains("access-control-allow-headers")).isFalse();
    }

    @Test
    void plainOptionsGoesToTheBackend() {
        assertThat(CORS_1.onRequest(exchange("OPTIONS", "/cors", "h", "Origin", "https://www.foo.com"))).isSameAs(FilterResult.CONTINUE);
        assertThat(CORS_1.onRequest(exchange("OPTIONS", "/cors", "h"))).isSameAs(FilterResult.CONTINUE);
    }

    @Test
    void originMatchingRules() {
        AllowedOrigins origins = AllowedOrigins.compile(List.of("https://www.foo.com", "https://*.bar.com", "http://*.baz.com:8080"));
        assertThat(origins.allows("https://www.foo.com")).isTrue();
        assertThat(origins.allows("https://www.foo.com:443")).isTrue();   // default port
        assertThat(origins.allows("HTTPS://WWW.FOO.COM")).isTrue();
        assertThat(origins.allows("http://www.foo.com")).isFalse();
        assertThat(origins.allows("https://www.foo.com:8443")).isFalse();
        assertThat(origins.allows("https://a.b.bar.com")).isTrue();
        assertThat(origins.allows("https://bar.com")).isFalse();
        assertThat(origins.allows("https://evil.com/.bar.com")).isFalse();
        assertThat(origins.allows("https://x.bar.com:444")).isFalse();
        assertThat(origins.allows("http://a.baz.com:8080")).isTrue();
        assertThat(origins.allows("http://a.baz.com")).isFalse();
        assertThat(origins.allows("null")).isFalse();
    }

    @Test
    void rejectsWildcardsMixedWithValues() {
        assertThatThrownBy(() -> CorsFilter.compile(new CorsSpec(List.of("*"), false, List.of("*", "GET"), List.of(), List.of(), 0)))
                .hasMessageContaining("allowMethods");
        assertThatThrownBy(() -> CorsFilter.compile(new CorsSpec(List.of("https://*.a.*.com"), false, List.of(), List.of(), List.of(), 0)))
                .hasMessageContaining("more than one");
    }
}
