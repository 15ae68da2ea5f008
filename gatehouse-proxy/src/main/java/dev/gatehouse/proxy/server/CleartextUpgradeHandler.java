package dev.gatehouse.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;

import java.util.List;

/**
 * Netty's {@code CleartextHttp2ServerUpgradeHandler}, which only takes Netty's own {@code HttpServerCodec}, for
 * any HTTP/1.1 codec (ours is {@link dev.gatehouse.proxy.http1.StrictHttpServerCodec}): installs the codec and the
 * h2c upgrade handler behind itself, then looks at the first bytes; the HTTP/2 preface (prior knowledge) swaps
 * both for the HTTP/2 handler, anything else leaves them in place. Netty's {@code PriorKnowledgeUpgradeEvent}
 * cannot be created outside Netty and nothing in our pipeline listens for it, so it is not fired.
 */
final class CleartextUpgradeHandler extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Unpooled.unreleasableBuffer(Http2CodecUtil.connectionPrefaceBuf()).asReadOnly();

    private final ChannelHandler httpCodec;
    private final HttpServerUpgradeHandler upgradeHandler;
    private final ChannelHandler http2Handler;

    CleartextUpgradeHandler(ChannelHandler httpCodec, HttpServerUpgradeHandler upgradeHandler,
                            ChannelHandler http2Handler) {
        this.httpCodec = httpCodec;
        this.upgradeHandler = upgradeHandler;
        this.http2Handler = http2Handler;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.pipeline().addAfter(ctx.name(), null, upgradeHandler).addAfter(ctx.name(), null, httpCodec);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int prefaceLength = PREFACE.readableBytes();
        int n = Math.min(in.readableBytes(), prefaceLength);
        if (!ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), n)) {
            // HTTP/1.1: the buffered bytes go on to the codec as this handler is removed
            ctx.pipeline().remove(this);
        } else if (n == prefaceLength) {
            ctx.pipeline().remove(httpCodec).remove(upgradeHandler);
            ctx.pipeline().addAfter(ctx.name(), null, http2Handler);
            ctx.pipeline().remove(this);
        }
    }
}
