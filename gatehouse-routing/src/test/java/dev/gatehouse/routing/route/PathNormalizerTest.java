package dev.gatehouse.routing.route;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every spelling of a path that a backend could resolve differently from the gateway. */
class PathNormalizerTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/|/",
            "/admin|/admin",
            "/%61dmin|/admin",
            "/%41%44%4D%49%4E|/ADMIN",
            "/a%2db%5fc%7e|/a-b_c~",
            "/x/../admin|/admin",
            "/x/%2e%2e/admin|/admin",
            "/x/%2E%2e/admin|/admin",
            "/x/.%2e/admin|/admin",
            "/./admin|/admin",
            "/%2e/admin|/admin",
            "/../../admin|/admin",
            "/admin/.|/admin/",
            "/admin/..|/",
            "//admin|/admin",
            "///admin//x//|/admin/x/",
            "/a%2fb|/a%2Fb",
            "/a%3bb|/a%3Bb",
            "/caf%c3%a9|/caf%C3%A9",
            "/sp%20ace|/sp%20ace",
            "/.well-known/x|/.well-known/x",
            "/a/..b/c|/a/..b/c",
            "/admin;x/|/admin;x/",
    })
    void normalises(String in, String out) throws Exception {
        assertThat(PathNormalizer.normalize(in, EncodedSlashPolicy.KEEP)).isEqualTo(out);
    }

    @Test
    void alreadyNormalPathIsTheSameInstance() throws Exception {
        String p = "/api/v1/users/42";
        assertThat(PathNormalizer.normalize(p, EncodedSlashPolicy.KEEP)).isSameAs(p);
        assertThat(PathNormalizer.routingView(p)).isSameAs(p);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/a\\b",
            "/a%5cb",
            "/a%5Cb",
            "/a%00b",
            "/a%0d%0aX-Injected:%20yes",
            "/a%0a",
            "/a%7f",
            "/a%",
            "/a%2",
            "/a%zz",
            "/a%c0%af",
            "/a%c0%ae%c0%ae/admin",
            "/a%e0%80%af",
            "/a%ed%a0%80",
            "/a%c3",
            "/a%c3x",
            "/a%80",
            "/a%f5%80%80%80",
            "/%ef%bc%8fadmin",
            "/%ef%bd%81dmin",
            "/x%e2%88%95admin",
            "/x/..;/admin",
            "/x/.;a/admin",
            "/a#frag",
            "/a\u00e9",
            "/a b",
            "/a\tb",
    })
    void rejects(String in) {
        assertThatThrownBy(() -> PathNormalizer.normalize(in, EncodedSlashPolicy.KEEP))
                .isInstanceOf(PathNormalizer.InvalidPath.class);
    }

    @Test
    void encodedSlashPolicies() throws Exception {
        assertThat(PathNormalizer.normalize("/a/..%2fadmin", EncodedSlashPolicy.KEEP)).isEqualTo("/a/..%2Fadmin");
        assertThat(PathNormalizer.normalize("/a/..%2fadmin", EncodedSlashPolicy.DECODE)).isEqualTo("/admin");
        assertThat(PathNormalizer.normalize("/a%2F%2Fb", EncodedSlashPolicy.DECODE)).isEqualTo("/a/b");
        assertThatThrownBy(() -> PathNormalizer.normalize("/a%2Fb", EncodedSlashPolicy.REJECT))
                .isSameAs(PathNormalizer.ENCODED_SLASH);
    }

    @ParameterizedTest(name = "{0} routes as {1}")
    @CsvSource(delimiter = '|', value = {
            "/admin;x/|/admin/",
            "/admin;jsessionid=1|/admin",
            "/;x/admin|/admin",
            "/a;x/;y/b;z|/a/b",
            "/a/b|/a/b",
            "/admin%2Fx|/admin/x",
            "/x/..%2Fadmin|/admin",
    })
    void routingIgnoresParameters(String in, String out) {
        assertThat(PathNormalizer.routingView(in)).isEqualTo(out);
    }

    @Test
    void targetIsRewrittenInPlaceKeepingQueryAndAbsoluteForm() {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x/../%61dmin?q=%2e%2e");
        assertThat(PathNormalizer.normalizeTarget(r, EncodedSlashPolicy.KEEP)).isNull();
        assertThat(r.uri()).isEqualTo("/admin?q=%2e%2e");
        r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "http://h:8080//a/./b?x");
        assertThat(PathNormalizer.normalizeTarget(r, EncodedSlashPolicy.KEEP)).isNull();
        assertThat(r.uri()).isEqualTo("http://h:8080/a/b?x");
        r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/a?x#y");
        assertThat(PathNormalizer.normalizeTarget(r, EncodedSlashPolicy.KEEP)).isNotNull();
        r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.OPTIONS, "*");
        assertThat(PathNormalizer.normalizeTarget(r, EncodedSlashPolicy.KEEP)).isNull();
    }
}
