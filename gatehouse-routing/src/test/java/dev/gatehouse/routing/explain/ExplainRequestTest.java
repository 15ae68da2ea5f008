package dev.gatehouse.routing.explain;

import dev.gatehouse.routing.filter.HttpExchange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExplainRequestTest {

    @Test
    void parsesTheUrlForm() {
        ExplainRequest r = ExplainRequest.parse("get", "http://Shop.Example.com:8080/v1/a%20b?x=1&y",
                List.of("X-Env: prod", "Accept:*/*"));
        assertThat(r).isEqualTo(new ExplainRequest("GET", "http", "shop.example.com", null, 8080, "/v1/a%20b", "x=1&y",
                List.of(new ExplainRequest.Header("X-Env", "prod"), new ExplainRequest.Header("Accept", "*/*"))));
        assertThat(r.url()).isEqualTo("http://shop.example.com:8080/v1/a%20b?x=1&y");
    }

    @Test
    void defaultsSchemePortPathAndMethod() {
        ExplainRequest r = ExplainRequest.parse(null, "example.com", List.of());
        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.scheme()).isEqualTo("http");
        assertThat(r.port()).isEqualTo(80);
        assertThat(r.path()).isEqualTo("/");
        assertThat(r.query()).isNull();
        assertThat(ExplainRequest.parse("GET", "https://example.com?q", List.of()).port()).isEqualTo(443);
        assertThat(ExplainRequest.parse("GET", "https://example.com?q", List.of()).path()).isEqualTo("/");
    }

    @Test
    void hostHeaderDecidesTheRoutingHostLikeCurl() {
        ExplainRequest r = ExplainRequest.parse("GET", "http://127.0.0.1:8080/x", List.of("Host: Shop.Example.com:8080"));
        assertThat(r.host()).isEqualTo("shop.example.com");
        assertThat(r.port()).isEqualTo(8080);
        assertThat(ExplainRequest.parse("GET", "http://[::1]:80/", List.of()).host()).isEqualTo("[::1]");
        assertThat(ExplainRequest.parse("GET", "http://h/", List.of("host: [::1]:80")).host()).isEqualTo("[::1]");
    }

    @Test
    void tlsServerNameIsTheUrlHostUnlessAnIpLiteral() {
        assertThat(ExplainRequest.parse("GET", "https://A.example.com/", List.of("Host: b.example.com")).sniHost())
                .isEqualTo("a.example.com");
        assertThat(ExplainRequest.parse("GET", "https://10.0.0.1/", List.of()).sniHost()).isNull();
        assertThat(ExplainRequest.parse("GET", "https://[::1]/", List.of()).sniHost()).isNull();
        assertThat(ExplainRequest.parse("GET", "http://a.example.com/", List.of()).sniHost()).isNull();
    }

    @Test
    void exchangeIsWhatTheFrontendWouldBuild() {
        HttpExchange e = ExplainRequest.parse("POST", "https://shop.example.com:8443/a?b=c", List.of("x-a: 1", "x-a: 2"))
                .toExchange();
        assertThat(e.request().method().name()).isEqualTo("POST");
        assertThat(e.request().uri()).isEqualTo("/a?b=c");
        assertThat(e.request().headers().getAll("x-a")).containsExactly("1", "2");
        assertThat(e.request().headers().get("host")).isEqualTo("shop.example.com:8443");
        assertThat(e.scheme()).isEqualTo("https");
        assertThat(e.listenerPort()).isEqualTo(8443);
        assertThat(e.host()).isEqualTo("shop.example.com");
        assertThat(e.path()).isEqualTo("/a");
        assertThat(e.query()).isEqualTo("b=c");
    }

    @Test
    void readsTheAdminQueryString() {
        ExplainRequest r = ExplainRequest.fromQueryString(
                "method=DELETE&url=http%3A%2F%2Fa.example.com%3A81%2Fp%3Fq%3D1&header=x-a%3A1&header=x-b:2&format=text");
        assertThat(r.method()).isEqualTo("DELETE");
        assertThat(r.url()).isEqualTo("http://a.example.com:81/p?q=1");
        assertThat(r.headers()).extracting(ExplainRequest.Header::name).containsExactly("x-a", "x-b");
    }

    @Test
    void rejectsWhatCannotBeARequest() {
        assertThatThrownBy(() -> ExplainRequest.parse("GET", null, List.of())).hasMessageContaining("url is required");
        assertThatThrownBy(() -> ExplainRequest.parse("GET", "ftp://x/", List.of())).hasMessageContaining("http or https");
        assertThatThrownBy(() -> ExplainRequest.parse("GE T", "http://x/", List.of())).hasMessageContaining("method");
        assertThatThrownBy(() -> ExplainRequest.parse("GET", "http://x/", List.of("novalue"))).hasMessageContaining("Name: value");
        assertThatThrownBy(() -> ExplainRequest.parse("GET", "http://x y/", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExplainRequest.parse("GET", "http:///path", List.of())).hasMessageContaining("no host");
    }
}
