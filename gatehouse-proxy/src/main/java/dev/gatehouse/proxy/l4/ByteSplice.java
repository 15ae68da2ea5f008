package dev.gatehouse.proxy.l4;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Relays bytes from its channel to a peer on the same event loop. Back-pressure: while the peer is unwritable
 * (its outbound buffer above the high watermark) this side stops reading, and reads again once the peer drains.
 * Half-close: when this side's input ends (the sender shut its output; needs {@code ALLOW_HALF_CLOSURE}), the
 * peer's output is shut after what was read is flushed, so the other direction keeps flowing; once both
 * directions are shut, both channels close. A peer that terminates TLS cannot half-close: both close instead.
 */
public final class ByteSplice extends ChannelInboundHandlerAdapter {
    private final Channel peer;

    private ByteSplice(Channel peer) {
        this.peer = peer;
    }

    /** A splice writing to {@code peer}, for a channel on the peer's event loop (a WebSocket after its 101). */
    public static ByteSplice to(Channel peer) {
        return new ByteSplice(peer);
    }

    /** Relays between two connected channels of one event loop; call on that loop. */
    static void join(Channel client, Channel backend) {
        client.pipeline().addLast("splice", new ByteSplice(backend));
        backend.pipeline().addLast("splice", new ByteSplice(client));
        client.config().setAutoRead(backend.isWritable());
        backend.config().setAutoRead(client.isWritable());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        peer.write(msg, peer.voidPromise());
        if (!peer.isWritable()) {
            // read no more until the peer drains; its writability change turns reading back on
            ctx.channel().config().setAutoRead(false);
        }
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
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            Channel self = ctx.channel();
            if (peer instanceof DuplexChannel duplex && peer.isActive() && peer.pipeline().get(SslHandler.class) == null) {
                peer.flush();
                duplex.shutdownOutput().addListener(f -> {
                    if (self instanceof DuplexChannel d && d.isOutputShutdown()) {
                        // the other direction ended earlier: nothing is left to relay either way
                        self.close();
                        peer.close();
                    }
                });
            } else {
                // TLS has no half-close (a bare FIN would truncate the client's stream): end both, the
                // SslHandler sending close_notify after what is still queued
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                self.close();
            }
        } else if (evt instanceof IdleStateEvent) {
            ctx.close();
            peer.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
