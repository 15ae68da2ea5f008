package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.http1.UpstreamHttp1Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forwarding lines (X-Forwarded-For/-Proto/-Host, Forwarded) written by {@link UpstreamHttp1Codec} after the
 * head's header map instead of entered into it: for every request shape, the upstream gets the same bytes as when
 * {@link ForwardedHeaders#apply} put them in the map, and a shape whose map already holds one of them keeps the
 * map path. EmbeddedChannel, paranoid leak detection (LeakCheckExtension).
 */
class ForwardedLinesTest {
    /** a request shape: method, target, header name/value pairs as the client's map holds them, body or not */
    record Shape(String name, HttpMethod method, String uri, List<String> headers, String body, boolean chunked,
                 boolean apart) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Shape> shapes() {
        return List.of(
                new Shape("wrk GET", HttpMethod.GET, "/", List.of("Host", "127.0.0.1:8080"), null, false, true),
                new Shape("browser GET", HttpMethod.GET, "/a/b?x=1&y=%2F", List.of("Host", "Example.com",
                        "User-Agent", "Mozilla/5.0 (X11; Linux x86_64)", "Accept", "text/html,*/*;q=0.8",
                        "Accept-Language", "en-US,en;q=0.5", "Cookie", "a=1; b=2", "x-request-id", "abc123",
                        "Connection", "keep-alive"), null, false, true),
                new Shape("no Host", HttpMethod.GET, "/", List.of("Accept", "*/*"), null, false, true),
                new Shape("IPv6-looking Host, obs-text", HttpMethod.GET, "/", List.of("Host", "[2001:db8::1]:8443",
                        "X-Note", "caf\u00e9"), null, false, true),
                new Shape("POST with a length", HttpMethod.POST, "/upload", List.of("Host", "h", "Content-Length",
                        "5", "Content-Type", "text/plain"), "hello", false, true),
                new Shape("POST chunked, with trailers", HttpMethod.POST, "/c", List.of("Host", "h",
                        "Transfer-Encoding", "chunked"), "hello", true, true),
                new Shape("client's X-Forwarded-For", HttpMethod.GET, "/", List.of("X-Forwarded-For", "10.1.1.1",
                        "Host", "h"), null, false, false),
                new Shape("client's two Forwarded", HttpMethod.GET, "/", List.of("Forwarded", "for=1.2.3.4",
                        "Host", "h", "forwarded", "for=5.6.7.8"), null, false, false),
                new Shape("client's X-Forwarded-Proto", HttpMethod.GET, "/", List.of("Host", "h",
                        "X-Forwarded-Proto", "https"), null, false, false),
                new Shape("client's X-Forwarded-Host", HttpMethod.GET, "/", List.of("X-FORWARDED-HOST", "x",
                        "Host", "h"), null, false, false),
                new Shape("no Host, client's X-Forwarded-Host", HttpMethod.GET, "/", List.of("x-forwarded-host",
                        "x"), null, false, false));
    }

    @ParameterizedTest(name = "{0} from {1} over {2}")
    @MethodSource("cases")
    void sameBytesAsTheMapPath(Shape shape, String clientIp, String scheme) throws Exception {
        ForwardedClient client = new ForwardedClient(InetAddress.getByName(clientIp));
        HttpRequest viaMap = request(shape);
        HttpRequest apart = request(shape);
        String host = viaMap.headers().get("host");
        CharSequence[] none = MessageHeaders.prepareUpstreamRequest(viaMap, false, false, shape.body != null,
                client, host, scheme, false);
        CharSequence[] lines = MessageHeaders.prepareUpstreamRequest(apart, false, false, shape.body != null,
                client, host, scheme, true);
        assertThat(none).isNull();
        assertThat(lines != null).as("lines kept apart").isEqualTo(shape.apart);
        for (String name : List.of("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded")) {
            assertThat(apart.headers().contains(name)).isEqualTo(!shape.apart && viaMap.headers().contains(name));
        }

        String expected = encode(shape, viaMap, null);
        String actual = encode(shape, apart, lines);
        assertThat(actual).isEqualTo(expected);
        assertThat(expected).contains("x-forwarded-for: ").contains("\r\nforwarded: ");
    }

    static List<Object[]> cases() {
        List<Object[]> all = new java.util.ArrayList<>();
        for (Shape s : shapes()) {
            all.add(new Object[] {s, "192.0.2.7", "http"});
            all.add(new Object[] {s, "2001:db8::7", "https"});
        }
        return all;
    }

    /** Only the next head carries the lines: a second request on the connection is the map's alone. */
    @Test
    void linesGoWithTheNextHeadOnly() throws Exception {
        ForwardedClient client = new ForwardedClient(InetAddress.getByName("192.0.2.7"));
        Shape wrk = shapes().get(0);
        HttpRequest first = request(wrk);
        CharSequence[] lines = MessageHeaders.prepareUpstreamRequest(first, false, false, false, client,
                "127.0.0.1:8080", "http", true);
        EmbeddedChannel ch = codec();
        ((UpstreamHttp1Codec) ch.pipeline().first()).appendToNextHead(lines);
        ch.writeOutbound(first, LastHttpContent.EMPTY_LAST_CONTENT);
        String one = drain(ch);
        ch.writeOutbound(request(wrk), LastHttpContent.EMPTY_LAST_CONTENT);
        String two = drain(ch);
        finish(ch);
        assertThat(one).isEqualTo("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nx-forwarded-for: 192.0.2.7\r\n"
                + "x-forwarded-proto: http\r\nx-forwarded-host: 127.0.0.1:8080\r\n"
                + "forwarded: for=192.0.2.7;host=\"127.0.0.1:8080\";proto=http\r\n\r\n");
        assertThat(two).isEqualTo("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
    }

    private static HttpRequest request(Shape shape) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, shape.method, shape.uri);
        for (int i = 0; i < shape.headers.size(); i += 2) {
            r.headers().add(shape.headers.get(i), shape.headers.get(i + 1));
        }
        return r;
    }

    private static EmbeddedChannel codec() {
        return new EmbeddedChannel(new UpstreamHttp1Codec(new HttpDecoderConfig()));
    }

    /** The head (with {@code lines} appended by the codec when not null), the body, the end: as the wire gets them. */
    private static String encode(Shape shape, HttpRequest head, CharSequence[] lines) {
        EmbeddedChannel ch = codec();
        if (lines != null) {
            ((UpstreamHttp1Codec) ch.pipeline().first()).appendToNextHead(lines);
        }
        ch.writeOutbound(head);
        if (shape.body != null) {
            ch.writeOutbound(new DefaultHttpContent(Unpooled.copiedBuffer(shape.body, StandardCharsets.US_ASCII)));
        }
        LastHttpContent last = new DefaultLastHttpContent();
        if (shape.chunked) {
            last.trailingHeaders().add("x-checksum", "abc");
        }
        ch.writeOutbound(last);
        String wire = drain(ch);
        finish(ch);
        return wire;
    }

    /** Closes {@code ch}: requests went out, no response came, which the codec reports on close. */
    private static void finish(EmbeddedChannel ch) {
        try {
            ch.finishAndReleaseAll();
        } catch (PrematureChannelClosureException expected) {
            // no upstream here
        }
    }

    private static String drain(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }
}
