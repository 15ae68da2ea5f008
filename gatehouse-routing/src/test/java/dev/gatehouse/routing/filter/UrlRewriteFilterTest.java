package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.FilterSpec.PathModifierSpec;
import dev.gatehouse.ir.FilterSpec.PathModifierType;
import dev.gatehouse.ir.FilterSpec.UrlRewriteSpec;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.gatehouse.routing.Fixtures.exchange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UrlRewriteFilterTest {

    /** HTTPRouteRewritePath, HTTPRouteBackendURLRewrite and HTTPRouteRewriteHost expectations. */
    @ParameterizedTest(name = "{0} -> {5} host {6}")
    @CsvSource(nullValues = "-", delimiter = '|', value = {
            "/prefix/one/two                            |-               |prefix|/one             |/prefix/one                            |/one/two                 |rewrite.example",
            "/strip-prefix/three                        |-               |prefix|/                |/strip-prefix                          |/three                   |rewrite.example",
            "/strip-prefix                              |-               |prefix|/                |/strip-prefix                          |/                        |rewrite.example",
            "/full/one/two                              |-               |full  |/one             |-                                      |/one                     |rewrite.example",
            "/full/rewrite-path-and-modify-headers/test |-               |full  |/test            |-                                      |/test                    |rewrite.example",
            "/prefix/rewrite-path-and-modify-headers/one|-               |prefix|/prefix          |/prefix/rewrite-path-and-modify-headers|/prefix/one              |rewrite.example",
            "/full/original                             |-               |full  |/rewritten-full  |-                                      |/rewritten-full          |rewrite.example",
            "/prefix/original                           |-               |prefix|/rewritten-prefix|/prefix                                |/rewritten-prefix/original|rewrite.example",
            "/one                                       |one.example.org |-     |-                |-                                      |/one                     |one.example.org",
            "/two                                       |example.org     |-     |-                |-                                      |/two                     |example.org",
            "/rewrite-host-and-modify-headers           |test.example.org|-     |-                |-                                      |/rewrite-host-and-modify-headers|test.example.org",
    })
    void conformanceRewrites(String path, String hostname, String type, String value, String matchedPrefix,
                             String expectedPath, String expectedHost) {
        PathModifierSpec modifier = type == null ? null : new PathModifierSpec(
                type.equals("full") ? PathModifierType.REPLACE_FULL_PATH : PathModifierType.REPLACE_PREFIX_MATCH,
                value, matchedPrefix);
        UrlRewriteFilter filter = UrlRewriteFilter.compile(new UrlRewriteSpec(hostname, modifier));
        HttpExchange exchange = exchange("GET", path, "rewrite.example");

        assertThat(filter.onRequest(exchange)).isSameAs(FilterResult.CONTINUE);

        assertThat(exchange.request().uri()).isEqualTo(expectedPath);
        assertThat(exchange.path()).isEqualTo(expectedPath);
        assertThat(exchange.host()).isEqualTo(expectedHost);
        assertThat(exchange.request().headers().get(HttpHeaderNames.HOST)).isEqualTo(expectedHost);
    }

    @Test
    void queryIsKept() {
        UrlRewriteFilter filter = UrlRewriteFilter.compile(new UrlRewriteSpec(null,
                new PathModifierSpec(PathModifierType.REPLACE_PREFIX_MATCH, "/v2", "/v1")));
        HttpExchange exchange = exchange("GET", "/v1/items?page=2&x", "h");
        filter.onRequest(exchange);
        assertThat(exchange.request().uri()).isEqualTo("/v2/items?page=2&x");
        assertThat(exchange.query()).isEqualTo("page=2&x");
    }

    @Test
    void rejectsBadHostname() {
        assertThatThrownBy(() -> UrlRewriteFilter.compile(new UrlRewriteSpec("a\nb", null)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UrlRewriteFilter.compile(new UrlRewriteSpec("a/b", null)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
