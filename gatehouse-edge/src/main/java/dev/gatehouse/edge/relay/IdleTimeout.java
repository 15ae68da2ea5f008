package dev.gatehouse.edge.relay;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Fires an {@link IdleStateEvent} (ALL_IDLE) at a client connection with nothing read from or written to it for the
 * timeout, again every timeout while that lasts, as Netty's {@code IdleStateHandler(0, 0, timeout)} does: the
 * splice and the gates close on it. That handler times a write from its completion, so it turned every write into
 * one with a promise and a listener; this one counts a write when it is made, which with back-pressure comes to
 * the same (a stalled write is followed by no other). Its timer is one of the loop's {@link Deadlines}, not a task
 * scheduled per connection.
 */
public final class IdleTimeout extends ChannelDuplexHandler implements Runnable {
    private final Deadlines deadlines;
    private ChannelHandlerContext ctx;
    private Deadlines.Timer timer;

    /** @param deadlines the idle timeout's, shared by every connection */
    public IdleTimeout(Deadlines deadlines) {
        this.deadlines = deadlines;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    private void start() {
        if (timer == null) {
            timer = deadlines.timer(ctx.executor(), this);
            timer.arm();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        touch();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        touch();
        ctx.write(msg, promise);
    }

    private void touch() {
        if (timer != null) {
            timer.touch();
        }
    }

    /** Idle for the whole timeout. */
    @Override
    public void run() {
        if (!ctx.channel().isOpen()) {
            return;
        }
        timer.arm();
        ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void stop() {
        if (timer != null) {
            timer.disarm();
        }
    }
}
