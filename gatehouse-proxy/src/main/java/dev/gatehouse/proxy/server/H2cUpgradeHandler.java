package dev.gatehouse.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.codec.http2.Http2CodecUtil;

/**
 * {@link HttpServerUpgradeHandler} that only takes {@code Upgrade: h2c} requests. The stock handler buffers
 * (aggregates) every request carrying any Upgrade header; WebSocket handshakes must stream through to the
 * proxy untouched, so only h2c upgrades (whose body RFC 7540 requires to be read before switching) are
 * aggregated, up to {@link #MAX_UPGRADE_BODY} bytes. A larger one is not answered here (Netty's bare 413
 * would bypass metrics, the access log and the request id): its head goes on to the proxy handler marked as
 * failed with {@link TooLongHttpContentException}, which it refuses like any other request.
 */
final class H2cUpgradeHandler extends HttpServerUpgradeHandler {
    static final int MAX_UPGRADE_BODY = 64 * 1024;

    H2cUpgradeHandler(SourceCodec sourceCodec, UpgradeCodecFactory factory) {
        super(sourceCodec, factory, MAX_UPGRADE_BODY);
    }

    @Override
    protected boolean shouldHandleUpgradeRequest(HttpRequest req) {
        return req.headers().containsValue(HttpHeaderNames.UPGRADE, Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, true);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        // the aggregator releases the oversized message and drops the rest of its body; the head copy has none
        HttpRequest head = (HttpRequest) oversized;
        HttpRequest refused = new DefaultHttpRequest(head.protocolVersion(), head.method(), head.uri(), head.headers());
        refused.setDecoderResult(DecoderResult.failure(new TooLongHttpContentException(
                "h2c upgrade request body larger than " + MAX_UPGRADE_BODY + " bytes")));
        ctx.fireChannelRead(refused);
    }
}
