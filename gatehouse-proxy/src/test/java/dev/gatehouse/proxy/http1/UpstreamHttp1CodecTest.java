package dev.gatehouse.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link UpstreamHttp1Codec} and {@link RawResponse} on an {@link EmbeddedChannel} (paranoid leak detection through
 * LeakCheckExtension): which responses come raw, that the client gets the same bytes from a raw response as from the
 * decoded one rewritten and re-encoded, and that everything else decodes as Netty's HttpClientCodec did.
 */
class UpstreamHttp1CodecTest {
    private static final String PLAIN = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 5\r\nConnection: keep-alive\r\n\r\nhello";

    private EmbeddedChannel ch;

    private EmbeddedChannel channel() {
        // as UpstreamPool configures it
        ch = new EmbeddedChannel(new UpstreamHttp1Codec(new HttpDecoderConfig()
                .setMaxInitialLineLength(8 * 1024).setMaxHeaderSize(64 * 1024).setMaxChunkSize(256 * 1024)
                .setValidateHeaders(true).setUseRfc9112TransferEncoding(true).setAllowDuplicateContentLengths(false)));
        return ch;
    }

    @AfterEach
    void close() {
        if (ch != null) {
            finish(ch);
        }
    }

    /** Closes {@code c}; a response left unfinished (a decoder failure) is reported then, as by HttpClientCodec. */
    private static void finish(EmbeddedChannel c) {
        try {
            c.finishAndReleaseAll();
        } catch (PrematureChannelClosureException expected) {
            // the failed response never ended
        }
    }

    private void request(HttpMethod method, boolean raw) {
        if (raw) {
            ((UpstreamHttp1Codec) ch.pipeline().first()).expectRawResponse();
        }
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
        ReferenceCountUtil.release(ch.readOutbound());
    }

    private List<Object> respond(String... pieces) {
        for (String p : pieces) {
            ch.writeInbound(Unpooled.copiedBuffer(p, StandardCharsets.ISO_8859_1));
        }
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    @Test
    void armedGetWithPlainResponseComesRawAndNextResponsesStillPair() {
        channel();
        request(HttpMethod.GET, true);
        List<Object> out = respond(PLAIN);
        assertThat(out).hasSize(1).first().isInstanceOf(RawResponse.class);
        RawResponse raw = (RawResponse) out.get(0);
        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.keepAlive()).isTrue();
        assertThat(raw.bodyLength()).isEqualTo(5);
        raw.release();
        // a HEAD after it: its Content-Length announces no body, as the pairing says
        request(HttpMethod.HEAD, false);
        out = respond("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isInstanceOf(HttpResponse.class);
        assertThat(((LastHttpContent) out.get(1)).content().readableBytes()).isZero();
        out.forEach(ReferenceCountUtil::release);
        request(HttpMethod.GET, true);
        out = respond(PLAIN);
        assertThat(out).hasSize(1).first().isInstanceOf(RawResponse.class);
        out.forEach(ReferenceCountUtil::release);
        assertThat(ch.finish()).isFalse(); // no missing response reported
    }

    @Test
    void notArmedOrNotGetDecodesAsBefore() {
        channel();
        request(HttpMethod.GET, false);
        List<Object> out = respond(PLAIN);
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isInstanceOf(HttpResponse.class);
        assertThat(out.get(1)).isInstanceOf(LastHttpContent.class);
        out.forEach(ReferenceCountUtil::release);
        request(HttpMethod.POST, true);
        out = respond(PLAIN);
        assertThat(out.get(0)).isInstanceOf(HttpResponse.class);
        out.forEach(ReferenceCountUtil::release);
    }

    /** Responses outside the plain shape (or not read whole) are Netty's decoder's, failures included. */
    @ParameterizedTest
    @ValueSource(strings = {
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nContent-Length:5\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nX-A: b \r\nContent-Length: 5\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\nContent-Length: 5\r\n\r\nhello",
            "HTTP/1.1 200 OK\nContent-Length: 5\n\nhello",
            "HTTP/1.1 200 OK\r\nX-A: b\rc\r\nContent-Length: 5\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nConnection: x-secret\r\nX-Secret: 1\r\nContent-Length: 5\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\n\r\nhello",
            "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            "HTTP/1.1 200\r\nContent-Length: 5\r\n\r\nhello",
            "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            // nine lines to drop: more than the raw path records
            "HTTP/1.1 200 OK\r\nTE: a\r\nTE: b\r\nTE: c\r\nTE: d\r\nTE: e\r\nTE: f\r\nTE: g\r\nTE: h\r\n"
                    + "X-Request-Id: i\r\nContent-Length: 5\r\n\r\nhello",
    })
    void otherShapesTakeNettysDecoder(String response) {
        channel();
        request(HttpMethod.GET, true);
        List<Object> expected = decodedByHttpClientCodec(response);
        List<Object> out = respond(response);
        try {
            if (response.startsWith("HTTP/1.1 100")) {
                // the interim answer is decoded; the final one after it may come raw
                assertThat(out.get(0)).isInstanceOf(HttpResponse.class);
                assertThat(out.get(out.size() - 1)).isInstanceOf(RawResponse.class);
                return;
            }
            assertThat(out).noneMatch(o -> o instanceof RawResponse);
            assertThat(describe(out)).isEqualTo(describe(expected));
        } finally {
            out.forEach(ReferenceCountUtil::release);
            expected.forEach(ReferenceCountUtil::release);
        }
    }

    @Test
    void aResponseSplitOverReadsIsDecodedAndTheNextOneCanBeRawAgain() {
        channel();
        request(HttpMethod.GET, true);
        List<Object> out = respond(PLAIN.substring(0, 30), PLAIN.substring(30, PLAIN.length() - 2), PLAIN.substring(PLAIN.length() - 2));
        assertThat(out).noneMatch(o -> o instanceof RawResponse);
        assertThat(out.get(out.size() - 1)).isInstanceOf(LastHttpContent.class);
        out.forEach(ReferenceCountUtil::release);
        request(HttpMethod.GET, true);
        out = respond(PLAIN);
        assertThat(out).hasSize(1).first().isInstanceOf(RawResponse.class);
        out.forEach(ReferenceCountUtil::release);
    }

    @Test
    void nothingIsRawAfterAFailure() {
        channel();
        request(HttpMethod.GET, true);
        List<Object> out = respond("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello");
        assertThat(((HttpObject) out.get(0)).decoderResult().isFailure()).isTrue();
        out.forEach(ReferenceCountUtil::release);
        request(HttpMethod.GET, true);
        out = respond(PLAIN);
        assertThat(out).noneMatch(o -> o instanceof RawResponse);
        out.forEach(ReferenceCountUtil::release);
    }

    @Test
    void aConnectionClosedBeforeTheResponseEndsIsReported() {
        channel();
        request(HttpMethod.GET, true);
        respond("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel").forEach(ReferenceCountUtil::release);
        assertThatThrownBy(() -> ch.finishAndReleaseAll()).isInstanceOf(PrematureChannelClosureException.class);
        ch = null;
    }

    /**
     * The client's bytes from a raw response equal those of the decoded path: hop-by-hop headers removed (as
     * HopByHopHeaders.strip), the request id set, Connection: close set when the client connection closes, and
     * the head and body written through Netty's response encoder.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            PLAIN,
            "HTTP/1.1 404 Not Found\r\nX-Request-Id: upstream\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 503 Service Unavailable\r\nconnection: CLOSE\r\nContent-Length: 3\r\nUpgrade: h2c\r\n"
                    + "Proxy-Connection: x\r\nTE: trailers\r\nTrailer: x\r\nX-Empty: \r\nX-Obs: caf\u00e9\r\n\r\nabc",
            "HTTP/1.1 200 Custom Reason Here\r\nset-cookie: a=b\r\nSet-Cookie: c=d\r\nContent-Length: 2\r\n\r\nok",
            // eight lines to drop, the most the raw path records, between kept ones
            "HTTP/1.1 200 OK\r\nTE: a\r\nX-A: 1\r\nTE: b\r\nTE: c\r\nKeep-Alive: d\r\nTE: e\r\nX-B: 2\r\nTE: f\r\n"
                    + "TE: g\r\nX-Request-Id: h\r\nContent-Length: 2\r\n\r\nok",
    })
    void rawBytesEqualTheDecodedPathsBytes(String response) {
        for (String requestId : new String[] {null, "f00d"}) {
            for (boolean close : new boolean[] {false, true}) {
                channel();
                request(HttpMethod.GET, true);
                List<Object> out = respond(response);
                assertThat(out).hasSize(1).first().isInstanceOf(RawResponse.class);
                RawResponse raw = (RawResponse) out.get(0);
                assertThat(raw.keepAlive()).isEqualTo(!response.contains("CLOSE"));
                ByteBuf mine = raw.encode(ByteBufAllocator.DEFAULT, requestId, close);
                raw.release();
                String expected = reencoded(response, requestId, close);
                assertThat(mine.toString(StandardCharsets.ISO_8859_1)).isEqualTo(expected);
                mine.release();
                finish(ch);
            }
        }
    }

    @Test
    void toHttpObjectsIsTheDecodedResponse() {
        channel();
        request(HttpMethod.GET, true);
        RawResponse raw = (RawResponse) respond(PLAIN).get(0);
        RawResponse.HttpObjectPair pair = raw.toHttpObjects();
        List<Object> expected = decodedByHttpClientCodec(PLAIN);
        try {
            assertThat(describe(List.of(pair.head(), pair.last()))).isEqualTo(describe(expected));
        } finally {
            pair.last().release();
            expected.forEach(ReferenceCountUtil::release);
        }
    }

    /** What the proxy sent before: Netty's decoder, the hop-by-hop rules, the request id, Netty's encoder. */
    private static String reencoded(String response, String requestId, boolean close) {
        List<Object> decoded = decodedByHttpClientCodec(response);
        HttpResponse head = (HttpResponse) decoded.get(0);
        ByteBuf body = Unpooled.buffer();
        for (int i = 1; i < decoded.size(); i++) {
            body.writeBytes(((io.netty.handler.codec.http.HttpContent) decoded.get(i)).content());
        }
        decoded.forEach(ReferenceCountUtil::release);
        HttpHeaders h = head.headers();
        for (CharSequence name : List.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, "proxy-connection",
                HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE)) {
            h.remove(name);
        }
        if (close) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        if (requestId != null) {
            h.set("x-request-id", requestId);
        }
        EmbeddedChannel enc = new EmbeddedChannel(new HttpResponseEncoder());
        enc.writeOutbound(new DefaultFullHttpResponse(head.protocolVersion(), head.status(), body, h,
                io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE));
        StringBuilder s = new StringBuilder();
        ByteBuf b;
        while ((b = enc.readOutbound()) != null) {
            s.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        enc.finishAndReleaseAll();
        return s.toString();
    }

    private static List<Object> decodedByHttpClientCodec(String response) {
        EmbeddedChannel c = new EmbeddedChannel(new io.netty.handler.codec.http.HttpClientCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(8 * 1024).setMaxHeaderSize(64 * 1024).setMaxChunkSize(256 * 1024)
                .setValidateHeaders(true).setUseRfc9112TransferEncoding(true).setAllowDuplicateContentLengths(false),
                false, true));
        c.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        ReferenceCountUtil.release(c.readOutbound());
        c.writeInbound(Unpooled.copiedBuffer(response, StandardCharsets.ISO_8859_1));
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = c.readInbound()) != null) {
            out.add(o);
        }
        finish(c);
        return out;
    }

    /** Types, heads, header lists, bodies and decoder results, for comparing two decodings. */
    private static String describe(List<Object> objects) {
        StringBuilder s = new StringBuilder();
        for (Object o : objects) {
            s.append(o.getClass().getSimpleName().replace("Default", "")).append(' ');
            if (o instanceof HttpResponse r) {
                s.append(r.protocolVersion()).append(' ').append(r.status()).append(' ').append(r.headers().entries());
            }
            if (o instanceof io.netty.handler.codec.http.HttpContent c) {
                s.append(c.content().toString(StandardCharsets.ISO_8859_1));
            }
            if (o instanceof HttpObject h) {
                s.append(' ').append(h.decoderResult().isSuccess() ? "ok" : h.decoderResult().cause().getClass().getSimpleName());
            }
            s.append('\n');
        }
        return s.toString();
    }
}
