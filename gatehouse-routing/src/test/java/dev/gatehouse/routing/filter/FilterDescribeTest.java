package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.FilterSpec;
import dev.gatehouse.ir.FilterSpec.HeaderSpec;
import dev.gatehouse.ir.FilterSpec.PathModifierSpec;
import dev.gatehouse.ir.FilterSpec.PathModifierType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** describe()/type() are what explain prints; sideEffectFree() decides whether explain may run a filter. */
class FilterDescribeTest {
    private final FilterCompiler compiler = new FilterCompiler(name -> null);

    @Test
    void describesEveryFilterKind() {
        HttpFilter redirect = compiler.compile(new FilterSpec.RequestRedirectSpec("https", "example.com",
                new PathModifierSpec(PathModifierType.REPLACE_FULL_PATH, "/new", null), 443, 301));
        assertThat(redirect.type()).isEqualTo("RequestRedirect");
        assertThat(redirect.describe()).isEqualTo("RequestRedirect -> https://example.com:443/new 301");
        assertThat(compiler.compile(new FilterSpec.RequestRedirectSpec(null, null,
                new PathModifierSpec(PathModifierType.REPLACE_PREFIX_MATCH, "/v2", "/v1"), null, 0)).describe())
                .isEqualTo("RequestRedirect -> {scheme}://{host}/v2{path after /v1} 302");

        HttpFilter rewrite = compiler.compile(new FilterSpec.UrlRewriteSpec("internal.example.com",
                new PathModifierSpec(PathModifierType.REPLACE_PREFIX_MATCH, "/", "/v1/")));
        assertThat(rewrite.type()).isEqualTo("URLRewrite");
        assertThat(rewrite.describe()).isEqualTo("URLRewrite hostname internal.example.com path ReplacePrefixMatch /v1 -> /");

        assertThat(compiler.compile(new FilterSpec.ResponseHeaderModifierSpec(List.of(), List.of(new HeaderSpec("x-a", "1")),
                List.of("server"))).describe()).isEqualTo("ResponseHeaderModifier add x-a=1 remove server");
        assertThat(compiler.compile(new FilterSpec.RequestMirrorSpec("gone", 12.5)).describe())
                .isEqualTo("RequestMirror -> (invalid backendRef: mirrors nothing) 12.5%");
        assertThat(compiler.compile(new FilterSpec.DirectResponseSpec(503, List.of(), "down")).describe())
                .isEqualTo("DirectResponse 503 (4 bytes)");
        HttpFilter cors = compiler.compile(new FilterSpec.CorsSpec(List.of("https://a.example.com"), true, List.of("GET"),
                List.of(), List.of(), 0));
        assertThat(cors.type()).isEqualTo("CORS");
        assertThat(cors.describe()).isEqualTo("CORS origins=https://a.example.com credentials methods=GET maxAge=5");
    }

    @Test
    void onlyTheMirrorIsRunWithSideEffects() {
        assertThat(compiler.compile(new FilterSpec.RequestMirrorSpec(null, 50)).sideEffectFree()).isFalse();
        assertThat(compiler.compile(new FilterSpec.DirectResponseSpec(200, List.of(), null)).sideEffectFree()).isTrue();
        assertThat(new HttpFilter() { }.sideEffectFree()).isFalse();
    }
}
