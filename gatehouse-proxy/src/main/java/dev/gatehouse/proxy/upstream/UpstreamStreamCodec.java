package dev.gatehouse.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * One HTTP/2 stream to a backend, seen as the HTTP/1.1 objects the exchange speaks: the request head becomes
 * HEADERS (Host as :authority, connection-specific fields dropped), content DATA, and trailers a last HEADERS; the
 * response HEADERS, DATA and trailing HEADERS come back as a response head, content, and a last content carrying
 * the trailers; a head that ends the stream comes back as one full response. Written by hand rather than with {@code Http2StreamFrameToHttpObjectCodec}, which sends no
 * :authority for an origin-form request and parses every target as a {@code java.net.URI}.
 *
 * <p>A reset stream, or a GOAWAY that leaves it out, is reported as an {@link UpstreamStreamReset} through
 * exceptionCaught, before the stream's channel closes.
 */
final class UpstreamStreamCodec extends ChannelDuplexHandler {
    /** Names and values validated: an h2 field value may hold bytes that would split an HTTP/1.1 head. */
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(true);
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(true);
    /** RFC 9113 8.2.2: fields that describe an HTTP/1.1 connection, never sent on a stream. */
    private static final Set<AsciiString> CONNECTION_SPECIFIC = Set.of(HttpHeaderNames.CONNECTION,
            HttpHeaderNames.KEEP_ALIVE, AsciiString.cached("proxy-connection"), HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.UPGRADE, HttpHeaderNames.HOST, HttpHeaderNames.TE, AsciiString.cached("http2-settings"));

    private final AsciiString scheme;
    private boolean headRead;

    /** @param scheme the :scheme of requests: "http" on cleartext, "https" over TLS */
    UpstreamStreamCodec(AsciiString scheme) {
        this.scheme = scheme;
    }

    // ---------------------------------------------------------------- request, out

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpRequest request) {
            DefaultHttp2HeadersFrame head = new DefaultHttp2HeadersFrame(requestHeaders(request), false);
            if (!(msg instanceof HttpContent)) {
                ctx.write(head, promise);
                return;
            }
            ctx.write(head, ctx.voidPromise());
        }
        if (msg instanceof LastHttpContent last) {
            HttpHeaders trailers = last.trailingHeaders();
            if (trailers.isEmpty()) {
                ctx.write(new DefaultHttp2DataFrame(last.content(), true), promise);
                return;
            }
            if (last.content().isReadable()) {
                ctx.write(new DefaultHttp2DataFrame(last.content(), false), ctx.voidPromise());
            } else {
                last.release();
            }
            ctx.write(new DefaultHttp2HeadersFrame(fields(trailers, new DefaultHttp2Headers()), true), promise);
        } else if (msg instanceof HttpContent content) {
            ctx.write(new DefaultHttp2DataFrame(content.content(), false), promise);
        } else if (!(msg instanceof HttpRequest)) {
            ctx.write(msg, promise);
        }
    }

    private Http2Headers requestHeaders(HttpRequest request) {
        HttpHeaders h = request.headers();
        Http2Headers out = new DefaultHttp2Headers();
        out.method(request.method().asciiName()).scheme(scheme).path(request.uri());
        String host = h.get(HttpHeaderNames.HOST);
        if (host != null) {
            out.authority(host);
        }
        fields(h, out);
        if (h.containsValue(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS, true)) {
            out.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS); // the one TE value h2 allows (gRPC sends it)
        }
        return out;
    }

    private static Http2Headers fields(HttpHeaders in, Http2Headers out) {
        Iterator<Map.Entry<CharSequence, CharSequence>> it = in.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            AsciiString name = AsciiString.of(e.getKey()).toLowerCase();
            if (!CONNECTION_SPECIFIC.contains(name)) {
                out.add(name, e.getValue());
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- response, in

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame frame) {
            if (headRead) {
                LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, TRAILERS);
                copy(frame.headers(), last.trailingHeaders(), last);
                ctx.fireChannelRead(last);
            } else {
                readHead(ctx, frame);
            }
        } else if (msg instanceof Http2DataFrame frame) {
            ByteBuf content = frame.content();
            ctx.fireChannelRead(frame.isEndStream() ? new DefaultLastHttpContent(content)
                    : new DefaultHttpContent(content));
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void readHead(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
        Http2Headers h = frame.headers();
        HttpResponseStatus status;
        try {
            status = HttpResponseStatus.parseLine(h.status());
        } catch (RuntimeException e) {
            status = null;
        }
        boolean interim = status != null && status.code() < 200;
        // A final head that ends the stream is one message: an h2 client must get it back as one HEADERS frame
        // with END_STREAM (gRPC's Trailers-Only error), not as HEADERS and an empty DATA that ends the stream.
        boolean whole = status != null && !interim && frame.isEndStream();
        HttpResponseStatus code = status == null ? HttpResponseStatus.BAD_GATEWAY : status;
        DefaultHttpResponse response = whole
                ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, code, Unpooled.EMPTY_BUFFER, HEADERS, TRAILERS)
                : new DefaultHttpResponse(HttpVersion.HTTP_1_1, code, HEADERS);
        if (status == null) {
            response.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("no valid :status")));
        } else {
            copy(h, response.headers(), response);
        }
        headRead = !interim;
        ctx.fireChannelRead(response);
        // an interim head (1xx) ends with an empty last content, as the HTTP/1.1 decoder gives it
        if (interim || !whole && frame.isEndStream()) {
            ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    /** Regular fields only: pseudo-headers are not fields, and a value the validator refuses fails the message. */
    private static void copy(Http2Headers in, HttpHeaders out, DecoderResultProvider message) {
        try {
            for (Map.Entry<CharSequence, CharSequence> e : in) {
                CharSequence name = e.getKey();
                if (name.length() == 0 || name.charAt(0) != ':') {
                    out.add(name, e.getValue());
                }
            }
        } catch (IllegalArgumentException e) {
            message.setDecoderResult(DecoderResult.failure(e));
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame reset) {
            ctx.fireExceptionCaught(UpstreamStreamReset.reset(reset.errorCode()));
        } else if (evt instanceof Http2GoAwayFrame goAway) {
            try {
                // sent to the streams the backend will not process: those above its last stream id
                if (((Http2StreamChannel) ctx.channel()).stream().id() > goAway.lastStreamId()) {
                    ctx.fireExceptionCaught(UpstreamStreamReset.goAway(goAway.errorCode()));
                }
            } finally {
                goAway.release();
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }
}
