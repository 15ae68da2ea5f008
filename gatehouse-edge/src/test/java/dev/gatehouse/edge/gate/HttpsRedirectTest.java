package dev.gatehouse.edge.gate;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class HttpsRedirectTest {
    private final EmbeddedChannel ch = new EmbeddedChannel();

    @AfterEach
    void release() {
        ch.finishAndReleaseAll();
    }

    @Test
    void everyRequestGoesToTheSameHostAndPathOnHttps() {
        HttpsRedirect.init(ch.pipeline(), 443, 60);
        ch.writeInbound(ascii("POST /a/b?c=d HTTP/1.1\r\nHost: a.example.com:80\r\nContent-Length: 3\r\n\r\nxyz"
                + "GET http://a.example.com/e HTTP/1.1\r\nHost: a.example.com\r\n\r\n"));
        assertThat(response()).startsWith("HTTP/1.1 301 Moved Permanently\r\n")
                .contains("location: https://a.example.com/a/b?c=d\r\n");
        assertThat(response()).contains("location: https://a.example.com/e\r\n");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void anotherHttpsPortIsNamedAndIPv6LiteralsKeepTheirBrackets() {
        HttpsRedirect.init(ch.pipeline(), 8443, 60);
        ch.writeInbound(ascii("GET / HTTP/1.1\r\nHost: [::1]:8080\r\nConnection: close\r\n\r\n"));
        assertThat(response()).contains("location: https://[::1]:8443/\r\n");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void noHostOrAHostThatIsNotANameIsABadRequest() {
        HttpsRedirect.init(ch.pipeline(), 443, 60);
        ch.writeInbound(ascii("GET / HTTP/1.1\r\nHost: evil.com/x?\r\n\r\n"));
        assertThat(response()).startsWith("HTTP/1.1 400 Bad Request\r\n").doesNotContain("location");
        assertThat(ch.isOpen()).isFalse();
    }

    private String response() {
        ByteBuf out = ch.readOutbound();
        try {
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }
}
