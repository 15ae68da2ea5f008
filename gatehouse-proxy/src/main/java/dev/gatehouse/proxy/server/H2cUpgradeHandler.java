package dev.gatehouse.proxy.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;

/**
 * {@link HttpServerUpgradeHandler} that only takes {@code Upgrade: h2c} requests. The stock handler buffers
 * (aggregates) every request carrying any Upgrade header; WebSocket handshakes must stream through to the
 * proxy untouched, so only h2c upgrades (whose body RFC 7540 requires to be read before switching) are
 * aggregated, up to {@link #MAX_UPGRADE_BODY} bytes.
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
}
