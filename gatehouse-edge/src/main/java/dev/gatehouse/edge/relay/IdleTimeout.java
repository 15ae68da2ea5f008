package dev.gatehouse.edge.relay;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.Future;

import java.util.concurrent.TimeUnit;

/**
 * Fires an {@link IdleStateEvent} (ALL_IDLE) at a client connection with nothing read from or written to it for the
 * timeout, again every timeout while that lasts, as Netty's {@code IdleStateHandler(0, 0, timeout)} does: the
 * splice and the gates close on it. That handler times a write from its completion, so it turned every write into
 * one with a promise and a listener; this one counts a write when it is made, which with back-pressure comes to
 * the same (a stalled write is followed by no other).
 */
public final class IdleTimeout extends ChannelDuplexHandler implements Runnable {
    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private long lastActivity;
    private Future<?> check;

    public IdleTimeout(long timeout, TimeUnit unit) {
        this.timeoutNanos = Math.max(1, unit.toNanos(timeout));
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
        if (check == null) {
            lastActivity = ctx.executor().ticker().nanoTime();
            check = ctx.executor().schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        lastActivity = ctx.executor().ticker().nanoTime();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastActivity = ctx.executor().ticker().nanoTime();
        ctx.write(msg, promise);
    }

    @Override
    public void run() {
        if (!ctx.channel().isOpen()) {
            return;
        }
        long left = timeoutNanos - (ctx.executor().ticker().nanoTime() - lastActivity);
        if (left > 0) {
            check = ctx.executor().schedule(this, left, TimeUnit.NANOSECONDS);
            return;
        }
        check = ctx.executor().schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
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
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }
}
