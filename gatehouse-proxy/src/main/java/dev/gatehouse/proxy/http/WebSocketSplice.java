package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.upstream.UpstreamHandler;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;

/**
 * After a 101 to a WebSocket handshake: raw bytes both ways, no HTTP codecs. One instance on each side;
 * each writes what it reads to its peer, flushes once per read batch, and stops reading while the peer is
 * unwritable (so a fast sender cannot fill the heap of the gateway).
 */
final class WebSocketSplice extends ChannelInboundHandlerAdapter {
    private final Channel peer;

    private WebSocketSplice(Channel peer) {
        this.peer = peer;
    }

    /** Replaces the HTTP handlers of both channels by a splice; call on their (shared) event loop. */
    static void join(Channel client, Channel upstream) {
        ChannelPipeline cp = client.pipeline();
        cp.addLast("websocket-splice", new WebSocketSplice(upstream));
        removeIfPresent(cp, HttpProxyHandler.class);
        removeIfPresent(cp, HttpServerUpgradeHandler.class);
        // last: its decoder hands any bytes it still holds to the splice when removed
        removeIfPresent(cp, StrictHttpServerCodec.class);

        ChannelPipeline up = upstream.pipeline();
        up.addLast("websocket-splice", new WebSocketSplice(client));
        removeIfPresent(up, UpstreamHandler.class);
        removeIfPresent(up, HttpClientCodec.class);
        client.config().setAutoRead(upstream.isWritable());
        upstream.config().setAutoRead(client.isWritable());
    }

    private static void removeIfPresent(ChannelPipeline pipeline, Class<? extends ChannelHandler> type) {
        ChannelHandler h = pipeline.get(type);
        if (h != null) {
            pipeline.remove(h);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        peer.write(msg, peer.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        peer.config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
