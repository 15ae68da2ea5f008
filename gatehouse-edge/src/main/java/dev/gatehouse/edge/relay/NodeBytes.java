package dev.gatehouse.edge.relay;

import dev.gatehouse.edge.pool.NodeState;
import dev.gatehouse.proxy.timer.Deadlines;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Counts the bytes a node channel carries each way into the node's metrics, and the connection closed when the
 * channel is (a handler's event, not a listener added to each channel's close future).
 * <p>
 * It also keeps the relayed connection's idle timeout: every byte either way passes here (read from the node, or
 * written to it as read from the client), so the client's pipeline needs no handler of its own for it, which every
 * read and write of the client crossed. Idle for the whole timeout, it fires an {@link IdleStateEvent} (ALL_IDLE)
 * at the splice behind it, which closes both sides, and again every timeout while that lasts.
 * <p>
 * And it may hold the PROXY header back: written but not flushed when the node was connected before the client
 * sent anything, it leaves with the client's first bytes, flushed by the splice, in one segment and one send
 * instead of two (on io_uring the connect nearly always completes before the client's first read). A client that
 * sends nothing for {@link RelaySettings#HEADER_HOLD} (a protocol where the server speaks first) gets it sent then.
 */
final class NodeBytes extends ChannelDuplexHandler implements Runnable {
    private final NodeState node;
    private final Deadlines idle;
    private final Deadlines headerHold;
    private ChannelHandlerContext ctx;
    private Deadlines.Timer timer;
    /** armed while the PROXY header waits unflushed for the client's first bytes */
    private Deadlines.Timer held;

    /**
     * @param idle the idle timeout's, shared by every connection
     * @param headerHold the header hold's, when what was written before this handler (the PROXY header) waits for
     *                   the client's first bytes; {@code null} when it was flushed already
     */
    NodeBytes(NodeState node, Deadlines idle, Deadlines headerHold) {
        this.node = node;
        this.idle = idle;
        this.headerHold = headerHold;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        timer = idle.timer(ctx.executor(), this);
        timer.arm();
        if (headerHold != null) {
            held = headerHold.timer(ctx.executor(), ctx::flush);
            held.arm();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            node.bytesFromNode(b.readableBytes());
        }
        timer.touch();
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) {
            node.bytesToNode(b.readableBytes());
        }
        timer.touch();
        release();
        ctx.write(msg, promise); // the flush that follows sends a held header with it
    }

    /** Idle for the whole timeout. */
    @Override
    public void run() {
        if (ctx.channel().isOpen()) {
            timer.arm();
            ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        node.closed();
        timer.disarm();
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timer.disarm();
        release();
    }

    /** The header is held no longer: the next flush sends it. */
    private void release() {
        if (held != null) {
            held.disarm();
            held = null;
        }
    }
}
