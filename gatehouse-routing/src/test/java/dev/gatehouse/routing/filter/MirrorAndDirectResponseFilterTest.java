package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.FilterSpec;
import dev.gatehouse.ir.FilterSpec.DirectResponseSpec;
import dev.gatehouse.ir.FilterSpec.HeaderSpec;
import dev.gatehouse.ir.FilterSpec.RequestMirrorSpec;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.balance.RoundRobinCluster;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static dev.gatehouse.routing.Fixtures.cluster;
import static dev.gatehouse.routing.Fixtures.exchange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MirrorAndDirectResponseFilterTest {
    private static final Cluster MIRROR = RoundRobinCluster.compile(cluster("ns/mirror:80", 9100));
    private static final Map<String, Cluster> CLUSTERS = Map.of("ns/mirror:80", MIRROR);

    @Test
    void fullMirrorAddsTheClusterEveryTime() {
        RequestMirrorFilter filter = RequestMirrorFilter.compile(new RequestMirrorSpec("ns/mirror:80", 100), CLUSTERS::get);
        HttpExchange exchange = exchange("GET", "/", "h");
        assertThat(filter.onRequest(exchange)).isSameAs(FilterResult.CONTINUE);
        assertThat(exchange.mirrors()).containsExactly(MIRROR);
    }

    @Test
    void percentMirrorsAboutThatShare() {
        RequestMirrorFilter filter = RequestMirrorFilter.compile(new RequestMirrorSpec("ns/mirror:80", 20), CLUSTERS::get);
        int mirrored = 0;
        for (int i = 0; i < 10_000; i++) {
            HttpExchange exchange = exchange("GET", "/", "h");
            filter.onRequest(exchange);
            mirrored += exchange.mirrors().size();
        }
        assertThat(mirrored).isBetween(1_700, 2_300); // mean 2000, sd 40
    }

    @Test
    void invalidOrZeroMirrorsNothing() {
        for (RequestMirrorSpec spec : List.of(new RequestMirrorSpec(null, 100), new RequestMirrorSpec("ns/unknown:80", 100),
                new RequestMirrorSpec("ns/mirror:80", 0))) {
            HttpExchange exchange = exchange("GET", "/", "h");
            RequestMirrorFilter.compile(spec, CLUSTERS::get).onRequest(exchange);
            assertThat(exchange.mirrors()).isEmpty();
        }
        assertThatThrownBy(() -> RequestMirrorFilter.compile(new RequestMirrorSpec("ns/mirror:80", 101), CLUSTERS::get))
                .hasMessageContaining("101");
    }

    @Test
    void directResponseOwnsItsBuffer() {
        DirectResponseFilter filter = DirectResponseFilter.compile(new DirectResponseSpec(418,
                List.of(new HeaderSpec("Content-Type", "text/plain")), "I'm a teapot ☕"));
        for (int i = 0; i < 2; i++) {
            FilterResult result = filter.onRequest(exchange("GET", "/", "h"));
            FullHttpResponse response = ((FilterResult.Respond) result).response();
            try {
                assertThat(response.status().code()).isEqualTo(418);
                assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/plain");
                byte[] expected = "I'm a teapot ☕".getBytes(StandardCharsets.UTF_8);
                assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(expected.length);
                assertThat(response.content().toString(StandardCharsets.UTF_8)).isEqualTo("I'm a teapot ☕");
                assertThat(response.refCnt()).isEqualTo(1);
            } finally {
                assertThat(response.release()).isTrue();
            }
        }
    }

    @Test
    void directResponseWithoutBody() {
        FilterResult result = DirectResponseFilter.compile(new DirectResponseSpec(204, List.of(), null)).onRequest(exchange("GET", "/", "h"));
        FullHttpResponse response = ((FilterResult.Respond) result).response();
        try {
            assertThat(response.content().readableBytes()).isZero();
        } finally {
            response.release();
        }
        assertThatThrownBy(() -> DirectResponseFilter.compile(new DirectResponseSpec(99, List.of(), ""))).hasMessageContaining("99");
    }

    @Test
    void compilerDispatchesEveryFilterTypeAndNamesTheIndex() {
        FilterCompiler compiler = new FilterCompiler(CLUSTERS::get);
        List<FilterSpec> specs = List.of(
                new FilterSpec.RequestHeaderModifierSpec(List.of(), List.of(), List.of("x")),
                new FilterSpec.ResponseHeaderModifierSpec(List.of(), List.of(), List.of("x")),
                new FilterSpec.RequestRedirectSpec("https", null, null, null, 301),
                new FilterSpec.UrlRewriteSpec("h", null),
                new RequestMirrorSpec("ns/mirror:80", 50),
                new FilterSpec.CorsSpec(List.of("*"), false, List.of(), List.of(), List.of(), 0),
                new DirectResponseSpec(200, List.of(), "ok"));
        assertThat(compiler.compileAll(specs)).extracting(f -> f.getClass().getSimpleName()).containsExactly(
                "RequestHeaderModifierFilter", "ResponseHeaderModifierFilter", "RequestRedirectFilter", "UrlRewriteFilter",
                "RequestMirrorFilter", "CorsFilter", "DirectResponseFilter");
        assertThatThrownBy(() -> compiler.compileAll(List.of(specs.get(0), new FilterSpec.RequestRedirectSpec("gopher", null, null, null, 302))))
                .hasMessageStartingWith("filter 1:");
    }
}
