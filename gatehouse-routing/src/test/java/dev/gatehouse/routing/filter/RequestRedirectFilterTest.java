package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.FilterSpec.PathModifierSpec;
import dev.gatehouse.ir.FilterSpec.PathModifierType;
import dev.gatehouse.ir.FilterSpec.RequestRedirectSpec;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.gatehouse.routing.Fixtures.exchange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestRedirectFilterTest {

    private static PathModifierSpec path(String type, String value, String matchedPrefix) {
        if (type == null) {
            return null;
        }
        return new PathModifierSpec(type.equals("full") ? PathModifierType.REPLACE_FULL_PATH
                : PathModifierType.REPLACE_PREFIX_MATCH, value, matchedPrefix);
    }

    /**
     * Every redirect expectation of cases.json (listener ports as the harness maps them: 18080 / 18880 http,
     * 18443 https). Columns: request scheme, listener port, request host, target; filter scheme, hostname,
     * port, path type, path value, matched prefix (the rule's PathPrefix), status; expected Location.
     */
    @ParameterizedTest(name = "{0} {3} -> {12} {11}")
    @CsvSource(nullValues = "-", delimiter = '|', value = {
            // HTTPRouteRedirectPath
            "http |18080|127.0.0.1  |/original-prefix/lemon |-    |-          |-   |prefix|/replacement-prefix   |/original-prefix      |302|http://127.0.0.1:18080/replacement-prefix/lemon",
            "http |18080|127.0.0.1  |/full/path/original    |-    |-          |-   |full  |/full-path-replacement|-                     |302|http://127.0.0.1:18080/full-path-replacement",
            "http |18080|127.0.0.1  |/path-and-host         |-    |example.org|-   |prefix|/replacement-prefix   |/path-and-host        |302|http://example.org:18080/replacement-prefix",
            "http |18080|127.0.0.1  |/path-and-status       |-    |-          |-   |prefix|/replacement-prefix   |/path-and-status      |301|http://127.0.0.1:18080/replacement-prefix",
            "http |18080|127.0.0.1  |/full-path-and-host    |-    |example.org|-   |full  |/replacement-full     |-                     |302|http://example.org:18080/replacement-full",
            "http |18080|127.0.0.1  |/full-path-and-status  |-    |-          |-   |full  |/replacement-full     |-                     |301|http://127.0.0.1:18080/replacement-full",
            // HTTPRouteRedirectPort
            "http |18080|127.0.0.1  |/port                    |-|-          |8083|-|-|-|302|http://127.0.0.1:8083/port",
            "http |18080|127.0.0.1  |/port-and-host           |-|example.org|8083|-|-|-|302|http://example.org:8083/port-and-host",
            "http |18080|127.0.0.1  |/port-and-status         |-|-          |8083|-|-|-|301|http://127.0.0.1:8083/port-and-status",
            "http |18080|127.0.0.1  |/port-and-host-and-status|-|example.org|8083|-|-|-|302|http://example.org:8083/port-and-host-and-status",
            // HTTPRouteRedirectScheme
            "http |18080|127.0.0.1  |/scheme                    |https|-          |-|-|-|-|302|https://127.0.0.1/scheme",
            "http |18080|127.0.0.1  |/scheme-and-host           |https|example.org|-|-|-|-|302|https://example.org/scheme-and-host",
            "http |18080|127.0.0.1  |/scheme-and-status         |https|-          |-|-|-|-|301|https://127.0.0.1/scheme-and-status",
            "http |18080|127.0.0.1  |/scheme-and-host-and-status|https|example.org|-|-|-|-|302|https://example.org/scheme-and-host-and-status",
            // HTTPRouteRedirectPortAndScheme: listener on 18080
            "http |18080|127.0.0.1  |/scheme-nil-and-port-nil   |-    |example.org|-   |-|-|-|302|http://example.org:18080/scheme-nil-and-port-nil",
            "http |18080|127.0.0.1  |/scheme-nil-and-port-80    |-    |example.org|80  |-|-|-|302|http://example.org/scheme-nil-and-port-80",
            "http |18080|127.0.0.1  |/scheme-nil-and-port-8080  |-    |example.org|8080|-|-|-|302|http://example.org:8080/scheme-nil-and-port-8080",
            "http |18080|127.0.0.1  |/scheme-https-and-port-nil |https|example.org|-   |-|-|-|302|https://example.org/scheme-https-and-port-nil",
            "http |18080|127.0.0.1  |/scheme-https-and-port-443 |https|example.org|443 |-|-|-|302|https://example.org/scheme-https-and-port-443",
            "http |18080|127.0.0.1  |/scheme-https-and-port-8443|https|example.org|8443|-|-|-|302|https://example.org:8443/scheme-https-and-port-8443",
            // ... listener on 18880
            "http |18880|127.0.0.1  |/scheme-nil-and-port-nil   |-    |example.org|-   |-|-|-|302|http://example.org:18880/scheme-nil-and-port-nil",
            "http |18880|127.0.0.1  |/scheme-nil-and-port-80    |-    |example.org|80  |-|-|-|302|http://example.org/scheme-nil-and-port-80",
            "http |18880|127.0.0.1  |/scheme-https-and-port-nil |https|example.org|-   |-|-|-|302|https://example.org/scheme-https-and-port-nil",
            // ... https listener on 18443
            "https|18443|example.org|/scheme-nil-and-port-nil   |-    |example.org|-   |-|-|-|302|https://example.org:18443/scheme-nil-and-port-nil",
            "https|18443|example.org|/scheme-nil-and-port-443   |-    |example.org|443 |-|-|-|302|https://example.org/scheme-nil-and-port-443",
            "https|18443|example.org|/scheme-nil-and-port-8443  |-    |example.org|8443|-|-|-|302|https://example.org:8443/scheme-nil-and-port-8443",
            "https|18443|example.org|/scheme-http-and-port-nil  |http |example.org|-   |-|-|-|302|http://example.org/scheme-http-and-port-nil",
            "https|18443|example.org|/scheme-http-and-port-80   |http |example.org|80  |-|-|-|302|http://example.org/scheme-http-and-port-80",
            "https|18443|example.org|/scheme-http-and-port-8080 |http |example.org|8080|-|-|-|302|http://example.org:8080/scheme-http-and-port-8080",
            // HTTPRouteRedirectHostAndStatus
            "http |18080|127.0.0.1  |/hostname-redirect|-|example.org|-|-|-|-|302|http://example.org:18080/hostname-redirect",
            "http |18080|127.0.0.1  |/host-and-status  |-|example.org|-|-|-|-|301|http://example.org:18080/host-and-status",
            // HTTPRoute303Redirect / 307 / 308
            "http |18080|127.0.0.1  |/see-other|-|-|-|-|-|-|303|http://127.0.0.1:18080/see-other",
            "http |18080|127.0.0.1  |/temporary|-|-|-|-|-|-|307|http://127.0.0.1:18080/temporary",
            "http |18080|127.0.0.1  |/permanent|-|-|-|-|-|-|308|http://127.0.0.1:18080/permanent",
            // HTTPRouteBackendRequestRedirect
            "http |18080|127.0.0.1  |/full/original  |-|-|-|full  |/redirected-full  |-      |302|http://127.0.0.1:18080/redirected-full",
            "http |18080|127.0.0.1  |/prefix/original|-|-|-|prefix|/redirected-prefix|/prefix|302|http://127.0.0.1:18080/redirected-prefix/original",
            // the query string is kept
            "http |18080|127.0.0.1  |/original-prefix/lemon?x=1&y=%20|-|-|-|prefix|/replacement-prefix|/original-prefix|302|http://127.0.0.1:18080/replacement-prefix/lemon?x=1&y=%20",
    })
    void conformanceLocations(String scheme, int listenerPort, String host, String target,
                              String filterScheme, String hostname, Integer port, String pathType, String pathValue,
                              String matchedPrefix, int status, String expectedLocation) {
        RequestRedirectFilter filter = RequestRedirectFilter.compile(new RequestRedirectSpec(filterScheme, hostname,
                path(pathType, pathValue, matchedPrefix), port, status));
        HttpExchange exchange = exchange(scheme, listenerPort, "GET", target, host);

        FilterResult result = filter.onRequest(exchange);

        assertThat(result).isInstanceOf(FilterResult.Respond.class);
        FullHttpResponse response = ((FilterResult.Respond) result).response();
        try {
            assertThat(response.status().code()).isEqualTo(status);
            assertThat(response.headers().get(HttpHeaderNames.LOCATION)).isEqualTo(expectedLocation);
            assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isZero();
            assertThat(response.content().readableBytes()).isZero();
        } finally {
            response.release();
        }
    }

    @Test
    void ipv6HostIsBracketed() {
        RequestRedirectFilter filter = RequestRedirectFilter.compile(new RequestRedirectSpec("https", null, null, null, 301));
        assertThat(filter.location(exchange("http", 18080, "GET", "/x", "::1"))).isEqualTo("https://[::1]/x");
    }

    @Test
    void withoutAnyHostTheLocationIsRelative() {
        RequestRedirectFilter filter = RequestRedirectFilter.compile(new RequestRedirectSpec(null, null,
                new PathModifierSpec(PathModifierType.REPLACE_FULL_PATH, "/new", null), null, 302));
        assertThat(filter.location(exchange("http", 18080, "GET", "/old?q=1", null))).isEqualTo("/new?q=1");
    }

    @Test
    void rejectsInvalidConfig() {
        assertThatThrownBy(() -> RequestRedirectFilter.compile(new RequestRedirectSpec("ftp", null, null, null, 302)))
                .hasMessageContaining("ftp");
        assertThatThrownBy(() -> RequestRedirectFilter.compile(new RequestRedirectSpec(null, null, null, null, 304)))
                .hasMessageContaining("304");
        assertThatThrownBy(() -> RequestRedirectFilter.compile(new RequestRedirectSpec(null, null, null, 70000, 302)))
                .hasMessageContaining("70000");
        assertThatThrownBy(() -> RequestRedirectFilter.compile(new RequestRedirectSpec(null, "evil\r\nSet-Cookie: x", null, null, 302)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
