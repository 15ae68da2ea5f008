package dev.gatehouse.proxy.l4;

import dev.gatehouse.proxy.observe.L4Log;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;

import java.io.IOException;
import java.nio.channels.NotYetConnectedException;

/**
 * Relays bytes from its channel to a peer on the same event loop. Back-pressure: while the peer is unwritable
 * (its outbound buffer above the high watermark) this side stops reading, and reads again once the peer drains.
 * Half-close: when this side's input ends (the sender shut its output; needs {@code ALLOW_HALF_CLOSURE}), the
 * peer's output is shut after what was read is flushed, so the other direction keeps flowing; once both
 * directions are shut, both channels close. A peer that terminates TLS cannot half-close: both close instead.
 */
public final class ByteSplice extends ChannelInboundHandlerAdapter {
    private final Channel peer;
    /** the connection's log, or {@code null} when nothing observes (and for WebSockets) */
    private final Tally tally;
    private final boolean fromClient;

    private ByteSplice(Channel peer, Tally tally, boolean fromClient) {
        this.peer = peer;
        this.tally = tally;
        this.fromClient = fromClient;
    }

    /** Counts a relayed connection's bytes into its log, and ends the log once, with the first reason seen. */
    record Tally(L4Log log, L4Settings settings) {
        void end(L4Log.CloseReason reason) {
            L4Pipeline.ended(settings, log, reason);
        }
    }

    /** A splice writing to {@code peer}, for a channel on the peer's event loop (a WebSocket after its 101). */
    public static ByteSplice to(Channel peer) {
        return new ByteSplice(peer, null, false);
    }

    /** Relays between two connected channels of one event loop; call on that loop. */
    static void join(Channel client, Channel backend, Tally tally) {
        client.pipeline().addLast("splice", new ByteSplice(backend, tally, true));
        backend.pipeline().addLast("splice", new ByteSplice(client, tally, false));
        client.config().setAutoRead(backend.isWritable());
        backend.config().setAutoRead(client.isWritable());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (tally != null && msg instanceof ByteBuf b) {
            if (fromClient) {
                tally.log().addIn(b.readableBytes());
            } else {
                tally.log().addOut(b.readableBytes());
            }
        }
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
        // a peer whose input is shut has nothing left to read: reading it again finds only its end (on epoll, two
        // epoll_ctl calls and a wake-up for nothing)
        if (!(peer instanceof DuplexChannel duplex && duplex.isInputShutdown())) {
            peer.config().setAutoRead(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            Channel self = ctx.channel();
            if (peer instanceof DuplexChannel duplex && peer.isActive() && peer.pipeline().get(SslHandler.class) == null) {
                // the peer's input is all that is left: once it ends, close it at once (its channelInactive closes
                // this side after a flush) instead of shutting its input and then our output, two syscalls and a
                // failing one per connection
                peer.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
                shutdownOutputAfterWrites(duplex, () -> {
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
            end(L4Log.CloseReason.IDLE_TIMEOUT);
            ctx.close();
            peer.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * Shuts {@code ch}'s output (its FIN) once everything written to it has left. Netty's shutdownOutput fails the
     * writes still queued, so a peer slower than its sender lost the end of the stream; and on io_uring a flush
     * completes later, so shutting at once lost every byte of the last read.
     */
    public static void shutdownOutputAfterWrites(DuplexChannel ch, Runnable then) {
        if (flushedAll(ch)) {
            shutdownOutput(ch, then); // all written already (epoll's usual case): no extra write and promise
        } else {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> shutdownOutput(ch, then));
        }
    }

    /**
     * Netty's shutdownOutput builds a ChannelOutputShutdownException, stack trace included, for the writes it fails:
     * one per relayed connection even with nothing queued, a tenth of the edge's user time per connection. With
     * nothing queued (see above) a native channel's socket is shut directly, as Netty's own doShutdownOutput does;
     * the channel reads its output state from that socket.
     */
    private static void shutdownOutput(DuplexChannel ch, Runnable then) {
        if (ch instanceof UnixChannel unix && unix.fd() instanceof Socket socket) {
            try {
                socket.shutdown(false, true);
            } catch (IOException | NotYetConnectedException e) {
                ch.close(); // reset or closed meanwhile (ENOTCONN): nothing more can reach that side
            }
            then.run();
        } else {
            ch.shutdownOutput().addListener(f -> then.run());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end(fromClient ? L4Log.CloseReason.CLIENT_CLOSED : L4Log.CloseReason.BACKEND_CLOSED);
        if (peer.isActive()) {
            closeAfterWrites(peer);
        }
        ctx.fireChannelInactive();
    }

    /**
     * Closes {@code ch} once what was written to it has left: at once when nothing is queued (no empty write with its
     * promise and listener per connection), else after an empty write behind the queued ones.
     */
    private static void closeAfterWrites(Channel ch) {
        if (flushedAll(ch)) {
            ch.close();
        } else {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Flushes {@code ch}; true when nothing written to it is still queued. */
    private static boolean flushedAll(Channel ch) {
        ch.flush();
        ChannelOutboundBuffer queued = ch.unsafe().outboundBuffer();
        return queued == null || queued.isEmpty();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        end(L4Log.CloseReason.ERROR);
        ctx.close();
    }

    private void end(L4Log.CloseReason reason) {
        if (tally != null) {
            tally.end(reason);
        }
    }
}
