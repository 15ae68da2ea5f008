package dev.gatehouse.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.AsciiString;
import io.netty.util.CharsetUtil;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP/1.1 objects of an exchange as frames of one h2 stream to a backend, and back. */
class UpstreamStreamCodecTest {
    private final List<Throwable> errors = new ArrayList<>();

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new UpstreamStreamCodec(AsciiString.of("http")), new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                errors.add(cause);
            }
        });
    }

    @Test
    void requestHeadBecomesPseudoHeadersWithoutConnectionFields() {
        EmbeddedChannel ch = channel();
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/pkg.Svc/Call?x=%2F");
        request.headers().set("Host", "api.example.com").set("Connection", "keep-alive").set("Keep-Alive", "5")
                .set("Transfer-Encoding", "chunked").set("TE", "trailers").set("Content-Type", "application/grpc")
                .add("X-Multi", "a").add("X-Multi", "b");
        ch.writeOutbound(request);
        Http2HeadersFrame frame = ch.readOutbound();
        Http2Headers h = frame.headers();
        assertThat(frame.isEndStream()).isFalse();
        assertThat(h.method()).hasToString("POST");
        assertThat(h.scheme()).hasToString("http");
        assertThat(h.path()).hasToString("/pkg.Svc/Call?x=%2F");
        assertThat(h.authority()).hasToString("api.example.com");
        assertThat(h.get("content-type")).hasToString("application/grpc");
        assertThat(h.getAll("x-multi")).extracting(CharSequence::toString).containsExactly("a", "b");
        assertThat(h.get("te")).hasToString("trailers");
        assertThat(h.contains("host")).isFalse();
        assertThat(h.contains("connection")).isFalse();
        assertThat(h.contains("keep-alive")).isFalse();
        assertThat(h.contains("transfer-encoding")).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void bodyAndTrailersBecomeDataAndAnEndingHeadersFrame() {
        EmbeddedChannel ch = channel();
        ch.writeOutbound(new DefaultHttpContent(text("one")));
        LastHttpContent last = new DefaultLastHttpContent(text("two"));
        last.trailingHeaders().set("grpc-status", "0");
        ch.writeOutbound(last);
        ch.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);

        Http2DataFrame one = ch.readOutbound();
        assertThat(one.content().toString(CharsetUtil.US_ASCII)).isEqualTo("one");
        assertThat(one.isEndStream()).isFalse();
        one.release();
        Http2DataFrame two = ch.readOutbound();
        assertThat(two.content().toString(CharsetUtil.US_ASCII)).isEqualTo("two");
        assertThat(two.isEndStream()).isFalse();
        two.release();
        Http2HeadersFrame trailers = ch.readOutbound();
        assertThat(trailers.isEndStream()).isTrue();
        assertThat(trailers.headers().get("grpc-status")).hasToString("0");
        Http2DataFrame end = ch.readOutbound();
        assertThat(end.isEndStream()).isTrue();
        assertThat(end.content().isReadable()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void responseHeadBodyAndTrailersComeBackAsHttpObjects() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                .add("content-type", "application/grpc").add("x-a", "1")));
        ch.writeInbound(new DefaultHttp2DataFrame(text("payload")));
        ch.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("grpc-status", "0")
                .add("grpc-message", "ok"), true));

        HttpResponse response = ch.readInbound();
        assertThat(response.status().code()).isEqualTo(200);
        assertThat(response.decoderResult().isSuccess()).isTrue();
        assertThat(response.headers().get("content-type")).isEqualTo("application/grpc");
        assertThat(response.headers().names()).noneMatch(n -> n.startsWith(":"));
        HttpContent body = ch.readInbound();
        assertThat(body).isNotInstanceOf(LastHttpContent.class);
        assertThat(body.content().toString(CharsetUtil.US_ASCII)).isEqualTo("payload");
        body.release();
        LastHttpContent last = ch.readInbound();
        assertThat(last.content().isReadable()).isFalse();
        assertThat(last.trailingHeaders().get("grpc-status")).isEqualTo("0");
        assertThat(last.trailingHeaders().get("grpc-message")).isEqualTo("ok");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anInterimHeadEndsWithAnEmptyLastContentAndAHeadersOnlyResponseIsOneFullResponse() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("103")));
        ch.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("204"), true));
        assertThat(((HttpResponse) ch.readInbound()).status().code()).isEqualTo(103);
        assertThat((Object) ch.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        FullHttpResponse whole = ch.readInbound();
        assertThat(whole.status().code()).isEqualTo(204);
        whole.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    /** gRPC's Trailers-Only: the status is in the one HEADERS frame, which an h2 client must get as one frame too. */
    @Test
    void aTrailersOnlyGrpcErrorComesBackAsOneFullResponseWithItsStatusInTheHead() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                .add("content-type", "application/grpc").add("grpc-status", "9").add("grpc-message", "refused"), true));
        FullHttpResponse whole = ch.readInbound();
        assertThat(whole.headers().get("grpc-status")).isEqualTo("9");
        assertThat(whole.content().isReadable()).isFalse();
        assertThat(whole.trailingHeaders().isEmpty()).isTrue();
        whole.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aHeadWithoutStatusOrWithAFieldValueThatWouldSplitAnHttp1HeadFailsToDecode() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers(false).add("x", "1")));
        HttpResponse noStatus = ch.readInbound();
        assertThat(noStatus.decoderResult().isFailure()).isTrue();

        EmbeddedChannel other = channel();
        other.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers(false).status("200")
                .add("x-evil", "a\r\nSet-Cookie: b")));
        HttpResponse split = other.readInbound();
        assertThat(split.decoderResult().isFailure()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
        other.finishAndReleaseAll();
    }

    @Test
    void aRefusedStreamIsReportedAsRefusedAndOtherResetsAreNot() {
        EmbeddedChannel ch = channel();
        ch.pipeline().fireUserEventTriggered(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
        ch.pipeline().fireUserEventTriggered(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
        assertThat(errors).hasSize(2);
        assertThat(((UpstreamStreamReset) errors.get(0)).refused()).isTrue();
        assertThat(errors.get(0)).hasMessageContaining("REFUSED_STREAM");
        assertThat(((UpstreamStreamReset) errors.get(1)).refused()).isFalse();
        assertThat(errors.get(1)).hasMessageContaining("INTERNAL_ERROR");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, CharsetUtil.US_ASCII);
    }
}
