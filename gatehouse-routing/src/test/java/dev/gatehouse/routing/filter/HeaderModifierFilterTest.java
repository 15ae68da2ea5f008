package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.FilterSpec.HeaderSpec;
import dev.gatehouse.ir.FilterSpec.RequestHeaderModifierSpec;
import dev.gatehouse.ir.FilterSpec.ResponseHeaderModifierSpec;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.gatehouse.routing.Fixtures.exchange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** HTTPRouteRequestHeaderModifier and HTTPRouteResponseHeaderModifier, each check of cases.json. */
class HeaderModifierFilterTest {

    private static List<HeaderSpec> headers(String... nameValues) {
        HeaderSpec[] specs = new HeaderSpec[nameValues.length / 2];
        for (int i = 0; i < specs.length; i++) {
            specs[i] = new HeaderSpec(nameValues[2 * i], nameValues[2 * i + 1]);
        }
        return List.of(specs);
    }

    /** As the echo backend reports them: repeated lines joined with ",". */
    private static String joined(HttpHeaders headers, String name) {
        List<String> all = headers.getAll(name);
        return all.isEmpty() ? null : String.join(",", all);
    }

    private static HttpHeaders request(RequestHeaderModifierSpec spec, String... sentHeaders) {
        HttpExchange exchange = exchange("GET", "/", "example.com", sentHeaders);
        assertThat(RequestHeaderModifierFilter.compile(spec).onRequest(exchange)).isSameAs(FilterResult.CONTINUE);
        return exchange.request().headers();
    }

    private static HttpHeaders response(ResponseHeaderModifierSpec spec, String... backendHeaders) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        for (int i = 0; i < backendHeaders.length; i += 2) {
            response.headers().add(backendHeaders[i], backendHeaders[i + 1]);
        }
        ResponseHeaderModifierFilter filter = ResponseHeaderModifierFilter.compile(spec);
        HttpExchange exchange = exchange("GET", "/", "example.com");
        assertThat(filter.onRequest(exchange)).isSameAs(FilterResult.CONTINUE);
        filter.onResponse(exchange, response);
        return response.headers();
    }

    private static void assertHeaders(HttpHeaders actual, Map<String, String> expected, String... absent) {
        expected.forEach((name, value) -> assertThat(joined(actual, name)).as(name).isEqualTo(value));
        for (String name : absent) {
            assertThat(actual.contains(name)).as(name).isFalse();
        }
    }

    @Test
    void requestSetOverwrites() {
        RequestHeaderModifierSpec spec = new RequestHeaderModifierSpec(headers("X-Header-Set", "set-overwrites-values"), List.of(), List.of());
        assertHeaders(request(spec, "Some-Other-Header", "val"),
                Map.of("Some-Other-Header", "val", "X-Header-Set", "set-overwrites-values"));
        assertHeaders(request(spec, "Some-Other-Header", "val", "X-Header-Set", "some-other-value"),
                Map.of("Some-Other-Header", "val", "X-Header-Set", "set-overwrites-values"));
    }

    @Test
    void requestAddAppends() {
        RequestHeaderModifierSpec spec = new RequestHeaderModifierSpec(List.of(), headers("X-Header-Add", "add-appends-values"), List.of());
        assertHeaders(request(spec, "Some-Other-Header", "val"),
                Map.of("Some-Other-Header", "val", "X-Header-Add", "add-appends-values"));
        assertHeaders(request(spec, "Some-Other-Header", "val", "X-Header-Add", "some-other-value"),
                Map.of("Some-Other-Header", "val", "X-Header-Add", "some-other-value,add-appends-values"));
    }

    @Test
    void requestRemove() {
        RequestHeaderModifierSpec spec = new RequestHeaderModifierSpec(List.of(), List.of(), List.of("X-Header-Remove"));
        assertHeaders(request(spec, "X-Header-Remove", "val"), Map.of(), "X-Header-Remove");
    }

    @Test
    void requestMultiple() {
        RequestHeaderModifierSpec spec = new RequestHeaderModifierSpec(
                headers("X-Header-Set-1", "header-set-1", "X-Header-Set-2", "header-set-2"),
                headers("X-Header-Add-1", "header-add-1", "X-Header-Add-2", "header-add-2", "X-Header-Add-3", "header-add-3"),
                List.of("X-Header-Remove-1", "X-Header-Remove-2"));
        assertHeaders(request(spec, "X-Header-Set-2", "set-val-2", "X-Header-Add-2", "add-val-2",
                        "X-Header-Remove-2", "remove-val-2", "Another-Header", "another-header-val"),
                Map.of("X-Header-Set-1", "header-set-1", "X-Header-Set-2", "header-set-2", "X-Header-Add-1", "header-add-1",
                        "X-Header-Add-2", "add-val-2,header-add-2", "X-Header-Add-3", "header-add-3",
                        "Another-Header", "another-header-val"),
                "X-Header-Remove-1", "X-Header-Remove-2");
    }

    @Test
    void requestCaseInsensitivity() {
        RequestHeaderModifierSpec spec = new RequestHeaderModifierSpec(headers("X-Header-Set", "header-set"),
                headers("X-Header-Add", "header-add"), List.of("X-Header-Remove"));
        assertHeaders(request(spec, "x-header-set", "original-val-set", "x-header-add", "original-val-add",
                        "x-header-remove", "original-val-remove", "Another-Header", "another-header-val"),
                Map.of("X-Header-Set", "header-set", "X-Header-Add", "original-val-add,header-add",
                        "Another-Header", "another-header-val"),
                "x-header-remove", "X-Header-Remove");
    }

    @Test
    void requestRewriteAndModify() {
        // HTTPRouteRewriteHost / HTTPRouteRewritePath header part
        RequestHeaderModifierSpec spec = new RequestHeaderModifierSpec(headers("X-Header-Set", "set-overwrites-values"),
                headers("X-Header-Add", "header-val-1", "X-Header-Add-Append", "header-val-2"), List.of("X-Header-Remove"));
        assertHeaders(request(spec, "X-Header-Remove", "remove-val", "X-Header-Add-Append", "append-val-1", "X-Header-Set", "set-val"),
                Map.of("X-Header-Add", "header-val-1", "X-Header-Add-Append", "append-val-1,header-val-2",
                        "X-Header-Set", "set-overwrites-values"),
                "X-Header-Remove");
    }

    @Test
    void responseSetAddRemove() {
        assertHeaders(response(new ResponseHeaderModifierSpec(headers("X-Header-Set", "set-overwrites-values"), List.of(), List.of()),
                        "Some-Other-Header", "val", "X-Header-Set", "some-other-value"),
                Map.of("Some-Other-Header", "val", "X-Header-Set", "set-overwrites-values"));
        assertHeaders(response(new ResponseHeaderModifierSpec(List.of(), headers("X-Header-Add", "add-appends-values"), List.of()),
                        "Some-Other-Header", "val", "X-Header-Add", "some-other-value"),
                Map.of("Some-Other-Header", "val", "X-Header-Add", "some-other-value,add-appends-values"));
        assertHeaders(response(new ResponseHeaderModifierSpec(List.of(), List.of(), List.of("X-Header-Remove")),
                "X-Header-Remove", "val"), Map.of(), "X-Header-Remove");
    }

    @Test
    void responseMultipleAndCaseInsensitivity() {
        ResponseHeaderModifierSpec multiple = new ResponseHeaderModifierSpec(
                headers("X-Header-Set-1", "header-set-1", "X-Header-Set-2", "header-set-2"),
                headers("X-Header-Add-1", "header-add-1", "X-Header-Add-2", "header-add-2", "X-Header-Add-3", "header-add-3"),
                List.of("X-Header-Remove-1", "X-Header-Remove-2"));
        assertHeaders(response(multiple, "X-Header-Set-2", "set-val-2", "X-Header-Add-2", "add-val-2",
                        "X-Header-Remove-2", "remove-val-2", "Another-Header", "another-header-val", "X-Header-Remove-1", "val"),
                Map.of("X-Header-Set-1", "header-set-1", "X-Header-Set-2", "header-set-2", "X-Header-Add-1", "header-add-1",
                        "X-Header-Add-2", "add-val-2,header-add-2", "X-Header-Add-3", "header-add-3",
                        "Another-Header", "another-header-val"),
                "X-Header-Remove-1", "X-Header-Remove-2");

        ResponseHeaderModifierSpec cases = new ResponseHeaderModifierSpec(headers("X-Header-Set", "header-set"),
                headers("X-Header-Add", "header-add", "x-lowercase-add", "lowercase-add", "x-Mixedcase-ADD-1", "mixedcase-add-1",
                        "X-mixeDcase-add-2", "mixedcase-add-2", "X-UPPERCASE-ADD", "uppercase-add"),
                List.of("X-Header-Remove"));
        assertHeaders(response(cases, "x-header-set", "original-val-set", "x-header-add", "original-val-add",
                        "x-header-remove", "original-val-remove", "Another-Header", "another-header-val"),
                Map.of("X-Header-Set", "header-set", "X-Header-Add", "original-val-add,header-add",
                        "X-Lowercase-Add", "lowercase-add", "X-Mixedcase-Add-1", "mixedcase-add-1",
                        "X-Mixedcase-Add-2", "mixedcase-add-2", "X-Uppercase-Add", "uppercase-add",
                        "Another-Header", "another-header-val"),
                "x-header-remove", "X-Header-Remove");
    }

    @Test
    void requestFilterLeavesResponseAloneAndViceVersa() {
        ResponseHeaderModifierSpec responseSpec = new ResponseHeaderModifierSpec(headers("X-R", "1"), List.of(), List.of());
        HttpExchange exchange = exchange("GET", "/", "h");
        ResponseHeaderModifierFilter.compile(responseSpec).onRequest(exchange);
        assertThat(exchange.request().headers().contains("X-R")).isFalse();
    }

    @Test
    void rejectsInvalidNamesAndValues() {
        assertThatThrownBy(() -> RequestHeaderModifierFilter.compile(new RequestHeaderModifierSpec(headers("Bad Name", "v"), List.of(), List.of())))
                .hasMessageContaining("Bad Name");
        assertThatThrownBy(() -> RequestHeaderModifierFilter.compile(new RequestHeaderModifierSpec(List.of(), headers("X-A", "a\r\nInjected: 1"), List.of())))
                .hasMessageContaining("X-A");
        assertThatThrownBy(() -> ResponseHeaderModifierFilter.compile(new ResponseHeaderModifierSpec(List.of(), List.of(), List.of(""))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
