package dev.gatehouse.proxy.http;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** The Forwarded element's host: a token as it is, anything else quoted (RFC 7239 4, RFC 9110 5.6.2 tchar). */
class ForwardedClientTest {
    private static final String TCHAR_PUNCTUATION = "!#$%&'*+-.^_`|~";

    private static boolean rfcTchar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || TCHAR_PUNCTUATION.indexOf(c) >= 0;
    }

    @Test
    void aHostIsQuotedExactlyWhenOneOfItsCharactersIsNoTchar() throws Exception {
        ForwardedClient client = new ForwardedClient(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 7}));
        for (char c = 0; c < 512; c++) {
            String host = "a" + c + "b";
            String expected = rfcTchar(c) ? host
                    : "\"a" + (c == '"' || c == '\\' ? "\\" : "") + c + "b\"";
            assertThat(client.element(host, "http")).as("character %d", (int) c)
                    .isEqualTo("for=192.0.2.7;host=" + expected + ";proto=http");
        }
    }

    @Test
    void eachNewHostOrSchemeBuildsItsElementAndTheLastOneIsKept() throws Exception {
        ForwardedClient client = new ForwardedClient(InetAddress.getByName("2001:db8::7"));
        assertThat(client.element("a.example.com", "http"))
                .isEqualTo("for=\"[2001:db8::7]\";host=a.example.com;proto=http");
        assertThat(client.element("b.example.com", "https"))
                .isEqualTo("for=\"[2001:db8::7]\";host=b.example.com;proto=https");
        assertThat(client.element(null, "http")).isEqualTo("for=\"[2001:db8::7]\";proto=http");
        assertThat(client.element("", "http")).isEqualTo("for=\"[2001:db8::7]\";host=\"\";proto=http");
        String kept = client.element("c.example.com:8080", "http");
        assertThat(kept).isEqualTo("for=\"[2001:db8::7]\";host=\"c.example.com:8080\";proto=http");
        assertThat(client.element(new String("c.example.com:8080"), "http")).isSameAs(kept);
    }
}
