package dev.gatehouse.proxy.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A client connection's two deadlines with ONE timer: the request head must arrive within the header-read
 * timeout (counted from accept, or from the end of the previous response on a keep-alive connection,
 * so a slowloris client trickling bytes gains nothing), and a connection without any traffic is closed
 * after the idle timeout. The proxy only sets two fields per request; the timer re-checks lazily and
 * re-arms itself at most every header-read timeout, so no task is scheduled or cancelled per request.
 * First in the pipeline so it sees every read batch and flush.
 */
public final class ConnectionTimeoutHandler extends ChannelDuplexHandler implements Runnable {
    private final long headTimeoutNanos;
    private final long idleTimeoutNanos;
    private ChannelHandlerContext ctx;
    private boolean awaitingHead = true;
    private boolean headTimeoutEnabled = true;
    private long awaitingSinceNanos;
    private long lastActivityNanos;
    private ScheduledFuture<?> timer;

    public ConnectionTimeoutHandler(Duration headerReadTimeout, Duration idleTimeout) {
        this.headTimeoutNanos = headerReadTimeout == null ? 0 : headerReadTimeout.toNanos();
        this.idleTimeoutNanos = idleTimeout == null ? 0 : idleTimeout.toNanos();
    }

    /** The previous exchange ended; the next head must now arrive in time. */
    public void awaitHead() {
        awaitingHead = true;
        awaitingSinceNanos = System.nanoTime();
    }

    public void headArrived() {
        awaitingHead = false;
    }

    /** HTTP/2 and WebSocket connections have no request heads to wait for; only the idle timeout applies. */
    public void stopHeadTimeout() {
        headTimeoutEnabled = false;
        awaitingHead = false;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        long now = System.nanoTime();
        awaitingSinceNanos = now;
        lastActivityNanos = now;
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            schedule(now);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (timer == null) {
            schedule(System.nanoTime());
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        lastActivityNanos = System.nanoTime();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        lastActivityNanos = System.nanoTime();
        ctx.flush();
    }

    @Override
    public void run() {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        if (headTimeoutEnabled && awaitingHead && headTimeoutNanos > 0 && now - awaitingSinceNanos >= headTimeoutNanos) {
            ctx.close();
            return;
        }
        if (idleTimeoutNanos > 0 && now - lastActivityNanos >= idleTimeoutNanos) {
            ctx.close();
            return;
        }
        schedule(now);
    }

    private void schedule(long now) {
        long next = Long.MAX_VALUE;
        if (idleTimeoutNanos > 0) {
            next = lastActivityNanos + idleTimeoutNanos - now;
        }
        if (headTimeoutEnabled && headTimeoutNanos > 0) {
            // While not awaiting a head, check again one timeout from now: a head awaited from any later
            // moment has its deadline after that check, so it is never missed.
            long head = awaitingHead ? awaitingSinceNanos + headTimeoutNanos - now : headTimeoutNanos;
            next = Math.min(next, head);
        }
        if (next == Long.MAX_VALUE) {
            return;
        }
        timer = ctx.executor().schedule(this, Math.max(next, 1_000_000L), TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
