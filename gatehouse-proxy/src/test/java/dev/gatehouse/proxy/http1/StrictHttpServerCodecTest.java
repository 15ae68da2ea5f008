package dev.gatehouse.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
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
 * {@link StrictHttpServerCodec} on an {@link EmbeddedChannel} (paranoid leak detection through LeakCheckExtension):
 * what it refuses, that the refusal is the last thing decoded on the connection, and that everything valid decodes
 * as Netty's HttpServerCodec would, however the bytes are split.
 */
class StrictHttpServerCodecTest {
    private static final String VALID = "GET /v HTTP/1.1\r\nHost: a\r\n\r\n";

    private EmbeddedChannel ch;

    /** As {@code PortLimits} configures the frontend decoder. */
    private static HttpDecoderConfig config() {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(16 * 1024)
                .setMaxHeaderSize(64 * 1024)
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(false);
    }

    private EmbeddedChannel channel() {
        ch = new EmbeddedChannel(new StrictHttpServerCodec(config()));
        return ch;
    }

    @AfterEach
    void close() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GET /s HTTP/1.1\r\n Host: a\r\nHost: a\r\n\r\n",                         // before the first field
            "GET /s HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\nX-B: d\r\n\r\n",           // in the middle
            "GET /s HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n",                     // the last field
            "GET /s HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n",                    // folded with HT
            "GET /s HTTP/1.1\r\nHost: a\r\nX-A: b\r\n   \r\n\r\n",                    // a fold of only whitespace
            "POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX: y\r\n Transfer-Encoding: chunked\r\n\r\nhello",
            "GET /s HTTP/1.1\nHost: a\nX-A: b\n c\n\n"})                              // bare LF lines
    void obsFoldIsRefused(String raw) {
        assertRefused(raw, RequestHeadScanner.OBS_FOLD);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GET  /s HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /s  HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET\t/s HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /s\tHTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /s HTTP/1.1 \r\nHost: a\r\n\r\n",
            "GET /s HTTP/1.1\t\r\nHost: a\r\n\r\n",
            " GET /s HTTP/1.1\r\nHost: a\r\n\r\n",
            "\tGET /s HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /s HTTP/1.1 x\r\nHost: a\r\n\r\n",
            "GET /s http/1.1\r\nHost: a\r\n\r\n",
            "GET /s HTTP/11\r\nHost: a\r\n\r\n",
            "GET /s\r\n\r\n",
            "GET\r\n\r\n",
            " \r\n\r\n",
            "G(T /s HTTP/1.1\r\nHost: a\r\n\r\n",
            "\u0000GET /s HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /s\u0001x HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /s HTTP/1.1\r\r\nHost: a\r\n\r\n"})
    void looseRequestLineIsRefused(String raw) {
        assertRefused(raw, RequestHeadScanner.BAD_REQUEST_LINE);
    }

    @Test
    void refusalIsDetectedWhenTheHeadArrivesByteByByte() {
        channel();
        feedByteByByte("GET /s HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n" + VALID);
        List<HttpObject> in = drain();
        assertThat(in).hasSize(1);
        assertFailure(in.get(0), RequestHeadScanner.OBS_FOLD);
        release(in);
    }

    @Test
    void nothingIsDecodedAfterARefusal() {
        channel();
        ch.writeInbound(ascii(VALID + "GET  /bad HTTP/1.1\r\nHost: a\r\n\r\n" + VALID));
        ch.writeInbound(ascii(VALID));
        ch.writeInbound(ascii("GET /late HTTP/1.1\r\nHost: a\r\nX: "));
        List<HttpObject> in = drain();
        assertThat(in).hasSize(3);
        assertThat(((HttpRequest) in.get(0)).uri()).isEqualTo("/v");
        assertThat(in.get(1)).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertFailure(in.get(2), RequestHeadScanner.BAD_REQUEST_LINE);
        release(in);
        // nor when the connection closes on a half-read head
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void refusalAfterAPartlyDecodedHeadLeavesNothingBehindOnClose() {
        channel();
        ch.writeInbound(ascii("GET /s HTTP/1.1\r\nHost: a\r\nX-A: b\r\n"));
        assertThat((Object) ch.readInbound()).isNull();
        ch.writeInbound(ascii(" c\r\n\r\n"));
        List<HttpObject> in = drain();
        assertThat(in).hasSize(1);
        assertFailure(in.get(0), RequestHeadScanner.OBS_FOLD);
        release(in);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void otherDecoderFailuresAreStillTheLastThingDecoded() {
        channel();
        ch.writeInbound(ascii("GET /s HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n"));
        ch.writeInbound(ascii("GET  /x HTTP/1.1\r\nHost: a\r\n\r\n" + VALID));
        List<HttpObject> in = drain();
        assertThat(in).hasSize(1);
        assertThat(in.get(0).decoderResult().isFailure()).isTrue();
        release(in);
    }

    @Test
    void pipelinedRequestsWithBodiesDecodeAsUsual() {
        String raw = "\r\n\r\nPOST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n\r\n x: y\r\n  z"
                + "\r\nPOST /b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "b\r\n\r\n  GET  /x\r\n0\r\n\r\n"
                + "GET /c?q=1%20 HTTP/1.0\r\nHost: a\r\nX-Long:  spaced\t value \r\n\r\n";
        channel().writeInbound(ascii(raw));
        assertDecodes(drain(), raw);
    }

    @Test
    void aRequestSplitByteByByteDecodesAsWhole() {
        String raw = "\r\nPOST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                + "\r\nPOST /b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n\r\n x:\r\n0\r\n\r\n"
                + "GET /c?q=1%20 HTTP/1.0\r\nHost: a\r\nX-Long:  spaced\t value \r\n\r\n";
        channel();
        feedByteByByte(raw);
        assertDecodes(drain(), raw);
    }

    @Test
    void hugeButValidHeadersDecodeInOnePieceAndInSmallOnes() {
        StringBuilder raw = new StringBuilder("GET /h HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; i < 120; i++) {
            raw.append("X-H").append(i).append(": ").append("v".repeat(480)).append("\r\n");
        }
        raw.append("\r\n");
        String head = raw.toString();
        assertThat(head.length()).isGreaterThan(50_000).isLessThan(64 * 1024);

        channel().writeInbound(ascii(head));
        List<HttpObject> whole = drain();
        assertThat(whole).hasSize(2);
        assertThat(((HttpRequest) whole.get(0)).headers().size()).isEqualTo(121);
        assertThat(whole.get(0).decoderResult().isSuccess()).isTrue();
        release(whole);
        ch.finishAndReleaseAll();

        channel();
        byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += 7) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(7, bytes.length - i)));
        }
        List<HttpObject> pieces = drain();
        assertThat(pieces).hasSize(2);
        assertThat(((HttpRequest) pieces.get(0)).headers().size()).isEqualTo(121);
        release(pieces);
    }

    @Test
    void aFoldAfterHugeValidHeadersIsStillFound() {
        StringBuilder raw = new StringBuilder("GET /h HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; i < 100; i++) {
            raw.append("X-H").append(i).append(": ").append("v".repeat(480)).append("\r\n");
        }
        raw.append(" folded\r\n\r\n");
        channel();
        byte[] bytes = raw.toString().getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += 1000) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(1000, bytes.length - i)));
        }
        List<HttpObject> in = drain();
        assertThat(in).hasSize(1);
        assertFailure(in.get(0), RequestHeadScanner.OBS_FOLD);
        release(in);
    }

    @Test
    void responseToHeadHasNoBodyAndTheNextResponseDoes() {
        channel().writeInbound(ascii("HEAD /h HTTP/1.1\r\nHost: a\r\n\r\nGET /g HTTP/1.1\r\nHost: a\r\n\r\n"));
        release(drain());
        ch.writeOutbound(response("hello"));
        ch.writeOutbound(response("world"));
        String wire = outbound();
        assertThat(wire).startsWith("HTTP/1.1 200 OK\r\n").contains("content-length: 5");
        assertThat(wire).doesNotContain("hello").endsWith("\r\n\r\nworld");
        assertThat(wire.indexOf("HTTP/1.1 200 OK", 1)).isPositive();
    }

    @Test
    void interimResponsesDoNotConsumeTheMethodOfTheRequest() {
        channel().writeInbound(ascii("HEAD /h HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n"));
        release(drain());
        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        ch.writeOutbound(response("hello"));
        assertThat(outbound()).startsWith("HTTP/1.1 100 Continue\r\n").doesNotContain("hello");
    }

    @Test
    void tooDeepAPipelineIsRefusedLikeNettysCodec() {
        channel();
        String many = VALID.repeat(StrictHttpServerCodec.MAX_PIPELINE_DEPTH + 1);
        assertThatThrownBy(() -> ch.writeInbound(ascii(many))).isInstanceOf(DecoderException.class)
                .hasMessageContaining("maxPipelineDepth");
        List<HttpObject> in = drain();
        assertThat(in).hasSize(2 * StrictHttpServerCodec.MAX_PIPELINE_DEPTH);
        release(in);
        ch.writeInbound(ascii(VALID));
        assertThat((Object) ch.readInbound()).isNull();
    }

    @Test
    void upgradeRemovesTheCodec() {
        channel();
        ch.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter());
        StrictHttpServerCodec codec = ch.pipeline().get(StrictHttpServerCodec.class);
        codec.upgradeFrom(ch.pipeline().context(codec));
        assertThat(ch.pipeline().get(StrictHttpServerCodec.class)).isNull();
    }

    // ---- helpers

    private void assertRefused(String raw, String why) {
        channel().writeInbound(ascii(raw));
        ch.writeInbound(ascii(VALID));
        List<HttpObject> in = drain();
        assertThat(in).as("only the refusal is decoded").hasSize(1);
        assertFailure(in.get(0), why);
        release(in);
        assertThat(ch.finish()).isFalse();
    }

    private static void assertFailure(HttpObject o, String why) {
        assertThat(o).isInstanceOf(FullHttpRequest.class);
        assertThat(o.decoderResult().isFailure()).isTrue();
        assertThat(o.decoderResult().cause()).hasMessage(why);
    }

    /** Decodes {@code raw} with Netty's own codec and checks ours produced the same heads and bodies. */
    private static void assertDecodes(List<HttpObject> ours, String raw) {
        EmbeddedChannel netty = new EmbeddedChannel(new io.netty.handler.codec.http.HttpServerCodec(config()));
        netty.writeInbound(ascii(raw));
        List<HttpObject> theirs = new ArrayList<>();
        for (Object o; (o = netty.readInbound()) != null; ) {
            theirs.add((HttpObject) o);
        }
        try {
            assertThat(describe(ours)).isEqualTo(describe(theirs)).isNotEmpty();
            assertThat(ours).allMatch(o -> o.decoderResult().isSuccess());
        } finally {
            release(ours);
            release(theirs);
            netty.finishAndReleaseAll();
        }
    }

    private static List<String> describe(List<HttpObject> objects) {
        List<String> d = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (HttpObject o : objects) {
            if (o instanceof HttpRequest r) {
                d.add(r.method() + " " + r.uri() + " " + r.protocolVersion() + " " + r.headers().entries());
            }
            if (o instanceof HttpContent c) {
                body.append(c.content().toString(StandardCharsets.ISO_8859_1));
            }
            if (o instanceof LastHttpContent) {
                d.add("body[" + body + "]");
                body.setLength(0);
            }
        }
        return d;
    }

    private void feedByteByByte(String raw) {
        for (byte b : raw.getBytes(StandardCharsets.ISO_8859_1)) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
    }

    private List<HttpObject> drain() {
        List<HttpObject> in = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            in.add((HttpObject) o);
        }
        return in;
    }

    private String outbound() {
        StringBuilder s = new StringBuilder();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            s.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return s.toString();
    }

    private static DefaultFullHttpResponse response(String body) {
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length());
        return r;
    }

    private static void release(List<HttpObject> objects) {
        objects.forEach(ReferenceCountUtil::release);
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }
}
