package dev.gatehouse.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.CharsetUtil;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 codec of an upstream connection: Netty's {@code HttpClientCodec} (final, so rebuilt here, with its
 * request/response pairing for HEAD and CONNECT and its report of a connection that closes with responses
 * missing), plus one shortcut: a GET whose exchange called {@link #expectRawResponse()} before writing it gets
 * its response as a {@link RawResponse} when the whole response is already read and in the plain shape that
 * class describes, instead of a decoded head, header map and body. Every other response, and every byte after
 * the decoder saw anything unusual, goes through Netty's decoder exactly as before. On the way out, the lines
 * given to {@link #appendToNextHead} are written after the next request head's header map, as the encoder
 * writes the map's own, so a proxy's own last lines need no map entries.
 */
public final class UpstreamHttp1Codec extends CombinedChannelDuplexHandler<HttpResponseDecoder, HttpRequestEncoder> {
    /** A GET whose response may come raw: equal to GET for every check below, told apart by identity. */
    private static final HttpMethod RAW_GET = new HttpMethod(HttpMethod.GET.name());

    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();
    /** requests written in full whose response has not ended (one event loop: a plain counter) */
    private long missingResponses;
    /** a 2xx to CONNECT made the connection a tunnel: bytes pass through undecoded */
    private boolean tunnel;
    private boolean rawNext;
    /** name, value... for the next request head written; then for the head being encoded */
    private CharSequence[] linesNext;
    private CharSequence[] linesNow;

    public UpstreamHttp1Codec(HttpDecoderConfig config) {
        init(new Decoder(config), new Encoder());
    }

    /** The next request written, if a GET, may be answered by a {@link RawResponse}. */
    public void expectRawResponse() {
        rawNext = true;
    }

    /**
     * Header lines (name, value, name, value...) the next request head written gets after its header map's:
     * the bytes the map would have given had they been added to it last, with no entry made for them.
     */
    public void appendToNextHead(CharSequence[] namesAndValues) {
        linesNext = namesAndValues;
    }

    private final class Encoder extends HttpRequestEncoder {
        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest request) {
                HttpMethod method = request.method();
                methods.offer(rawNext && HttpMethod.GET.equals(method) ? RAW_GET : method);
                rawNext = false;
                linesNow = linesNext;
                linesNext = null;
            }
            try {
                super.encode(ctx, msg, out);
            } finally {
                linesNow = null;
            }
            if (!tunnel && msg instanceof LastHttpContent) {
                missingResponses++;
            }
        }

        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            super.encodeHeaders(headers, buf);
            CharSequence[] lines = linesNow;
            if (lines != null) {
                linesNow = null; // the head's only: a chunked end's trailers are encoded here too
                for (int i = 0; i < lines.length; i += 2) {
                    writeAscii(buf, lines[i]);
                    buf.writeByte(':').writeByte(' ');
                    writeAscii(buf, lines[i + 1]);
                    buf.writeByte('\r').writeByte('\n');
                }
            }
        }
    }

    /** As Netty's header encoder writes a name or value: an AsciiString's bytes, else each char as one byte. */
    private static void writeAscii(ByteBuf buf, CharSequence s) {
        if (s instanceof AsciiString a) {
            ByteBufUtil.copy(a, buf);
        } else {
            buf.writeCharSequence(s, CharsetUtil.US_ASCII);
        }
    }

    private final class Decoder extends HttpResponseDecoder {
        /** Netty's decoder is between two responses, with none of the next one's bytes consumed */
        private boolean atResponseStart = true;
        /** it failed once: it discards everything from now on, and so must this shortcut */
        private boolean failed;

        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (tunnel) {
                int readable = actualReadableBytes();
                if (readable > 0) {
                    out.add(in.readRetainedSlice(readable));
                }
                return;
            }
            if (atResponseStart && !failed && methods.peek() == RAW_GET) {
                RawResponse raw = RawResponse.parse(in);
                if (raw != null) {
                    in.skipBytes(raw.content().readableBytes());
                    methods.poll();
                    missingResponses--;
                    out.add(raw);
                    return;
                }
            }
            int first = out.size();
            super.decode(ctx, in, out);
            int size = out.size();
            if (size > first) {
                for (int i = first; i < size; i++) {
                    Object o = out.get(i);
                    if (o instanceof HttpObject h && h.decoderResult().isFailure()) {
                        failed = true;
                    }
                    if (o instanceof LastHttpContent) {
                        missingResponses--;
                        atResponseStart = true;
                    } else if (o instanceof HttpMessage) {
                        atResponseStart = false;
                    }
                }
            } else if (in.isReadable()) {
                atResponseStart = false; // the decoder may hold a part of a head now
            }
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            HttpResponse response = (HttpResponse) msg;
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg);
            }
            HttpMethod method = methods.poll();
            if (HttpMethod.HEAD.equals(method)) {
                return true;
            }
            if (HttpMethod.CONNECT.equals(method) && response.status().code() == 200) {
                tunnel = true;
                methods.clear();
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            super.channelInactive(ctx);
            if (missingResponses > 0) {
                ctx.fireExceptionCaught(new PrematureChannelClosureException(
                        "channel gone inactive with " + missingResponses + " missing response(s)"));
            }
        }
    }
}
