package dev.gatehouse.proxy.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.HttpConversionUtil;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

class HeaderHygieneTest {

    @Test
    void removesHopByHopHeadersAndTheOnesConnectionNames() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Connection", "keep-alive, X-Secret, x-other");
        h.add("Connection", "close");
        h.add("X-Secret", "1").add("X-Other", "2").add("Keep-Alive", "timeout=5").add("Proxy-Connection", "keep-alive")
                .add("TE", "trailers").add("Trailer", "X-T").add("Transfer-Encoding", "chunked").add("Upgrade", "foo")
                .add("X-Kept", "3");
        HopByHopHeaders.strip(h, false);
        assertThat(h.names()).containsExactly("X-Kept");
    }

    @Test
    void connectionCannotRemoveFramingOrHost() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Connection", "Host, Content-Length").add("Host", "a").add("Content-Length", "3");
        HopByHopHeaders.strip(h, false);
        assertThat(h.get("host")).isEqualTo("a");
        assertThat(h.get("content-length")).isEqualTo("3");
    }

    @Test
    void keepsUpgradeForWebSocket() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Connection", "Upgrade").add("Upgrade", "websocket");
        HopByHopHeaders.strip(h, true);
        assertThat(h.get("upgrade")).isEqualTo("websocket");
        assertThat(h.contains("connection")).isFalse();
    }

    @Test
    void stripsHttp2ExtensionHeaders() {
        HttpHeaders h = new DefaultHttpHeaders();
        for (HttpConversionUtil.ExtensionHeaderNames n : HttpConversionUtil.ExtensionHeaderNames.values()) {
            h.add(n.text(), "x");
        }
        h.add("accept", "*/*");
        HopByHopHeaders.stripHttp2Extensions(h);
        assertThat(h.names()).containsExactly("accept");
    }

    @Test
    void aClientConnectionValueKeepsOnlyWhatStillMeansSomething() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Connection", "Keep-Alive").add("X-Kept", "1");
        HopByHopHeaders.sanitizeClientRequest(h);
        assertThat(h.get("connection")).isEqualTo("Keep-Alive");

        h = new DefaultHttpHeaders();
        h.add("Connection", "keep-alive , X-Auth-User,").add("X-Auth-User", "admin").add("X-Kept", "1");
        HopByHopHeaders.sanitizeClientRequest(h);
        assertThat(h.get("connection")).isEqualTo("keep-alive");
        assertThat(h.names()).containsExactlyInAnyOrder("connection", "X-Kept");

        h = new DefaultHttpHeaders();
        h.add("Connection", "close").add("Connection", "upgrade").add("Upgrade", "websocket");
        HopByHopHeaders.sanitizeClientRequest(h);
        assertThat(h.get("connection")).isEqualTo("close, upgrade");

        h = new DefaultHttpHeaders();
        h.add("Connection", "X-Auth-User").add("X-Auth-User", "admin");
        HopByHopHeaders.sanitizeClientRequest(h);
        assertThat(h.isEmpty()).isTrue();
    }

    @Test
    void aConnectionsForwardedElementFollowsItsRequestsHost() throws Exception {
        ForwardedClient client = new ForwardedClient(InetAddress.getByName("192.0.2.7"));
        for (String host : new String[] {"a.example", "a.example", "b.example:8080", null, "a.example"}) {
            HttpHeaders h = new DefaultHttpHeaders();
            ForwardedHeaders.apply(h, client, host, "https");
            assertThat(h.get("forwarded")).isEqualTo(host == null ? "for=192.0.2.7;proto=https"
                    : host.contains(":") ? "for=192.0.2.7;host=\"" + host + "\";proto=https"
                    : "for=192.0.2.7;host=" + host + ";proto=https");
            assertThat(h.get("x-forwarded-for")).isEqualTo("192.0.2.7");
        }
        HttpHeaders h = new DefaultHttpHeaders();
        ForwardedHeaders.apply(h, client, "a.example", "http");
        assertThat(h.get("forwarded")).isEqualTo("for=192.0.2.7;host=a.example;proto=http");
    }

    @Test
    void forwardedHeadersForIpv4() throws Exception {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("X-Forwarded-For", "10.0.0.1").add("X-Forwarded-For", "10.0.0.2").add("X-Forwarded-Proto", "https")
                .add("Forwarded", "for=10.0.0.1");
        ForwardedHeaders.apply(h, InetAddress.getByName("192.0.2.7"), "Example.com:8080", "http");
        assertThat(h.getAll("x-forwarded-for")).containsExactly("10.0.0.1, 10.0.0.2, 192.0.2.7");
        assertThat(h.getAll("x-forwarded-proto")).containsExactly("http");
        assertThat(h.get("x-forwarded-host")).isEqualTo("Example.com:8080");
        assertThat(h.getAll("forwarded")).containsExactly("for=10.0.0.1, for=192.0.2.7;host=\"Example.com:8080\";proto=http");
    }

    @Test
    void forwardedQuotesIpv6() throws Exception {
        HttpHeaders h = new DefaultHttpHeaders();
        ForwardedHeaders.apply(h, InetAddress.getByName("2001:db8::1"), "example.com", "http");
        assertThat(h.get("x-forwarded-for")).isEqualTo("2001:db8::1");
        assertThat(h.get("forwarded")).isEqualTo("for=\"[2001:db8::1]\";host=example.com;proto=http");
    }

    @Test
    void forwardedWithoutHost() throws Exception {
        HttpHeaders h = new DefaultHttpHeaders();
        ForwardedHeaders.apply(h, InetAddress.getByName("127.0.0.1"), null, "http");
        assertThat(h.get("forwarded")).isEqualTo("for=127.0.0.1;proto=http");
        assertThat(h.contains("x-forwarded-host")).isFalse();
    }
}
