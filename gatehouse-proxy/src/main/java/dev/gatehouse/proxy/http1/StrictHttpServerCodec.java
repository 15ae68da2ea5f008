package dev.gatehouse.proxy.http1;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.ArrayDeque;

/**
 * The HTTP/1.1 server codec of the frontend: Netty's {@code HttpServerCodec} (final, so rebuilt here) with
 * {@link StrictRequestDecoder} instead of the stock decoder, so a loose request line or an obs-fold is refused
 * rather than normalised and forwarded. Like Netty's it remembers the method of each decoded request until its
 * response goes out (no body after HEAD, no Transfer-Encoding on a 2xx to CONNECT), bounds how many requests a
 * client may pipeline ahead of the responses, and removes itself on an h2c upgrade. An {@link EncodedResponse}
 * (a proxied response rewritten from the upstream's bytes) is written as it is.
 */
public final class StrictHttpServerCodec extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder>
        implements HttpServerUpgradeHandler.SourceCodec {
    /** Netty's HttpServerCodec default: decoded requests awaiting a response before the connection is refused. */
    static final int MAX_PIPELINE_DEPTH = 128;

    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();
    private boolean closeAfterResponse;

    public StrictHttpServerCodec(HttpDecoderConfig config) {
        init(new StrictRequestDecoder(this, config), new ResponseEncoder());
    }

    @Override
    public void upgradeFrom(ChannelHandlerContext ctx) {
        ctx.pipeline().remove(this);
    }

    /**
     * Whether nothing of a request is under way in either direction: no bytes of a next head buffered, no
     * response owed, no close promised. Then the codec holds nothing a new one would not, and may be dropped.
     */
    public boolean betweenRequests() {
        return methods.isEmpty() && !closeAfterResponse && ((StrictRequestDecoder) inboundHandler()).betweenRequests();
    }

    /** @return false when the client has pipelined too many requests: it is closed after the current response */
    boolean requestDecoded(HttpMethod method) {
        if (methods.size() >= MAX_PIPELINE_DEPTH) {
            closeAfterResponse = true;
            return false;
        }
        methods.add(method);
        return true;
    }

    /** A request the decoder let through but whose connection must not be reused (Netty: TE with CL). */
    void closeAfterResponse() {
        closeAfterResponse = true;
    }

    private final class ResponseEncoder extends HttpResponseEncoder {
        private HttpMethod method;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof EncodedResponse encoded) {
                // a whole response: its request is answered, as isContentAlwaysEmpty records for an encoded one
                methods.poll();
                if (closeAfterResponse) {
                    closeAfterResponse = false;
                    promise = promise.unvoid().addListener(ChannelFutureListener.CLOSE);
                }
                ctx.write(encoded.content(), promise);
                return;
            }
            if (closeAfterResponse && msg instanceof LastHttpContent) {
                closeAfterResponse = false;
                promise = promise.unvoid().addListener(ChannelFutureListener.CLOSE);
            }
            super.write(ctx, msg, promise);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // 100 Continue and 101 come before the final response to the same request
                return super.isContentAlwaysEmpty(msg);
            }
            method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }

        @Override
        protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
            if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(method)
                    && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
                // a 2xx to CONNECT turns the connection into a tunnel: there is no body to frame (RFC 9110 9.3.6)
                msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
                return;
            }
            super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
        }
    }
}
