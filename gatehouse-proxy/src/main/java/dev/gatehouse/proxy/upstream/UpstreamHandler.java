package dev.gatehouse.proxy.upstream;

import dev.gatehouse.proxy.http1.UpstreamHttp1Codec;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The one permanent handler of an upstream connection. It forwards events to the current
 * {@link UpstreamListener} (a mutable field, so pooling never adds or removes handlers) and owns the
 * connection's single timer: the timer is armed for the earliest deadline and re-checked lazily when it
 * fires, so a keep-alive connection reused by many requests with the same timeouts schedules about one
 * task per timeout period instead of one per request.
 */
public final class UpstreamHandler extends ChannelInboundHandlerAdapter implements Runnable {
    private final UpstreamPool pool;
    private final UpstreamKey key;
    /** the connection's HTTP/1.1 codec; null on an h2 stream */
    private final UpstreamHttp1Codec http1;
    private ChannelHandlerContext ctx;
    private UpstreamListener listener;
    private Throwable failure;
    private boolean idle;
    private long idleSinceNanos;
    private int uses;
    private final long createdNanos = System.nanoTime();
    /** how long this connection may idle in the pool; the pool's until a cluster's timeout says otherwise */
    private long idleTimeoutNanos;
    /** max connection duration (0: none): past it, the connection is not reused */
    private long maxAgeNanos;
    /** requests it may serve (0: unlimited) */
    private long maxRequests;
    private ScheduledFuture<?> timer;
    private long timerAtNanos;

    UpstreamHandler(UpstreamPool pool, UpstreamKey key) {
        this(pool, key, null);
    }

    UpstreamHandler(UpstreamPool pool, UpstreamKey key, UpstreamHttp1Codec http1) {
        this.pool = pool;
        this.key = key;
        this.http1 = http1;
        this.idleTimeoutNanos = pool.idleTimeoutNanos();
    }

    UpstreamHandler(UpstreamPool pool, InetSocketAddress endpoint) {
        this(pool, UpstreamKey.http1(endpoint));
    }

    public Channel channel() {
        return ctx.channel();
    }

    public InetSocketAddress endpoint() {
        return key.endpoint();
    }

    public UpstreamKey key() {
        return key;
    }

    /** @return true when this connection already served an earlier request (a stale-connection retry is safe) */
    public boolean reused() {
        return uses > 1;
    }

    /**
     * The reuse limits of the cluster whose request uses the connection now (BackendTrafficPolicy's
     * connectionIdleTimeout, maxConnectionDuration and maxRequestsPerConnection); 0 keeps the pool's idle timeout and
     * means no limit for the others.
     */
    public void reuseLimits(long idleTimeoutNanos, long maxAgeNanos, long maxRequests) {
        this.idleTimeoutNanos = idleTimeoutNanos > 0 ? idleTimeoutNanos : pool.idleTimeoutNanos();
        this.maxAgeNanos = maxAgeNanos;
        this.maxRequests = maxRequests;
    }

    /** @return true when the connection may not serve another request: too old, or served its maximum */
    boolean spent(long nowNanos) {
        return maxAgeNanos > 0 && nowNanos - createdNanos - maxAgeNanos >= 0 || maxRequests > 0 && uses >= maxRequests;
    }

    /** Attaches the connection to an exchange; arms the timer for the exchange's deadline. */
    public void bind(UpstreamListener next) {
        listener = next;
        idle = false;
        uses++;
        rearm();
    }

    /**
     * Hands the connection to {@code next} without counting a use: a retried answer's drain, which pools or closes
     * the connection when the answer ended.
     */
    public void handOver(UpstreamListener next) {
        listener = next;
        rearm();
    }

    /**
     * The next request written on this HTTP/1.1 connection, if a GET, may be answered by a
     * {@link dev.gatehouse.proxy.http1.RawResponse} instead of a decoded response.
     *
     * @return false on an h2 stream, which has no such answer
     */
    public boolean expectRawResponse() {
        if (http1 == null) {
            return false;
        }
        http1.expectRawResponse();
        return true;
    }

    /**
     * Header lines (name, value...) for the next request head written on this HTTP/1.1 connection to carry
     * after its header map's ({@link UpstreamHttp1Codec#appendToNextHead}).
     *
     * @return false on an h2 stream: the caller adds them to the map instead
     */
    public boolean appendToNextHead(CharSequence[] namesAndValues) {
        if (http1 == null) {
            return false;
        }
        http1.appendToNextHead(namesAndValues);
        return true;
    }

    /** Detaches the exchange (before pooling, closing or handing the connection to a splice). */
    public void unbind() {
        listener = null;
    }

    /** Re-checks the deadline of the bound listener (call when it moved earlier). */
    public void rearm() {
        UpstreamListener l = listener;
        if (l != null) {
            arm(l.deadlineNanos());
        }
    }

    void markIdle(long nowNanos) {
        idle = true;
        idleSinceNanos = nowNanos;
        if (!ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
        arm(idleDeadline());
    }

    /** The earlier of the idle timeout and the end of the connection's maximum duration. */
    private long idleDeadline() {
        long d = idleSinceNanos + idleTimeoutNanos;
        if (maxAgeNanos > 0 && createdNanos + maxAgeNanos - d < 0) {
            d = createdNanos + maxAgeNanos;
        }
        return d;
    }

    boolean isIdle() {
        return idle;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamRead(msg);
        } else {
            // Bytes on an idle connection: the backend broke framing or is closing; never reuse it.
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        ctx.close();
    }

    /**
     * A failed TLS handshake (a refused certificate, a timeout) closes the connection; its cause is what the exchange
     * answers with, not "connection closed". Not every such failure reaches exceptionCaught (a timeout does not).
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess() && failure == null) {
            failure = e.cause();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        pool.closed(this, idle);
        idle = false;
        UpstreamListener l = listener;
        listener = null;
        if (l != null) {
            l.onUpstreamInactive(failure);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // Removed for a WebSocket splice: the splice owns the connection from now on.
        cancelTimer();
        listener = null;
    }

    private void arm(long deadlineNanos) {
        if (deadlineNanos == 0 || !ctx.channel().isActive()) {
            return;
        }
        if (timer != null) {
            if (timerAtNanos - deadlineNanos <= 0) { // nanoTime values wrap: compare their difference
                return; // fires earlier; it re-checks and re-arms for the rest
            }
            timer.cancel(false);
        }
        timerAtNanos = deadlineNanos;
        timer = ctx.executor().schedule(this, Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Timer task: lazily re-checks the current deadline. */
    @Override
    public void run() {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        UpstreamListener l = listener;
        if (l != null) {
            long deadline = l.deadlineNanos();
            if (deadline == 0) {
                return;
            }
            if (now - deadline >= 0) {
                l.onDeadline();
            } else {
                arm(deadline);
            }
        } else if (idle) {
            long deadline = idleDeadline();
            if (now - deadline >= 0) {
                ctx.close();
            } else {
                arm(deadline);
            }
        }
    }
}
