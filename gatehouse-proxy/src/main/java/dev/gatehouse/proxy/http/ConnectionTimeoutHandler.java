package dev.gatehouse.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A client connection's deadlines with ONE timer:
 * <ul>
 *   <li>the request head must arrive within the header-read timeout, counted from accept or from the end of
 *       the previous response on a keep-alive connection, so a slowloris client trickling bytes gains nothing;</li>
 *   <li>a connection without any traffic is closed after the idle timeout;</li>
 *   <li>while a request body is being read: silence longer than the body idle timeout, a body longer than the
 *       total body deadline, or (after a grace of one body idle timeout) an average rate below the minimum
 *       closes the connection ({@link RequestBodyPace}; an h2 stream keeps its own). Time while WE stopped reading
 *       (back-pressure from a slow backend) is not held against the client.</li>
 * </ul>
 * The proxy only sets fields per request; the timer re-checks lazily and re-arms itself at most every
 * header-read timeout (every second while a rate is enforced), so no task is scheduled or cancelled per
 * request with the default values. First in the pipeline so it sees every read batch and flush.
 */
public final class ConnectionTimeoutHandler extends ChannelDuplexHandler implements Runnable {
    /**
     * How long a keep-alive connection waits for its next request before {@link #QUIET} tells the pipeline it may
     * put its per-request state away: long enough that a client sending request after request never pays for
     * rebuilding it, short enough that the thousands of connections a browser or a pool leaves open don't keep it.
     */
    public static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The user event fired {@link #QUIET_NANOS} after the previous exchange ended, if no bytes came since. */
    public static final Object QUIET = Quiet.BETWEEN_REQUESTS;

    private enum Quiet { BETWEEN_REQUESTS }

    private final long headTimeoutNanos;
    private final long idleTimeoutNanos;
    private final RequestBodyPace body;
    private ChannelHandlerContext ctx;
    private boolean awaitingHead = true;
    private boolean headTimeoutEnabled = true;
    private long awaitingSinceNanos;
    private long lastActivityNanos;
    private ScheduledFuture<?> timer;
    private long timerDueNanos;
    private Runnable headTimeoutAction;
    private boolean quietPending;
    private boolean resumed;

    public ConnectionTimeoutHandler(Duration headerReadTimeout, Duration idleTimeout) {
        this(headerReadTimeout, idleTimeout, null, null, 0);
    }

    /**
     * @param bodyIdle null or zero: no body idle timeout
     * @param bodyTotal null or zero: no total body deadline
     * @param minBodyBytesPerSecond zero: no minimum rate
     */
    public ConnectionTimeoutHandler(Duration headerReadTimeout, Duration idleTimeout, Duration bodyIdle,
                                    Duration bodyTotal, long minBodyBytesPerSecond) {
        this.headTimeoutNanos = nanos(headerReadTimeout);
        this.idleTimeoutNanos = nanos(idleTimeout);
        this.body = new RequestBodyPace(bodyIdle, bodyTotal, minBodyBytesPerSecond);
    }

    private static long nanos(Duration d) {
        return d == null || d.isNegative() ? 0 : d.toNanos();
    }

    /** The previous exchange ended; the next head must now arrive in time. */
    public void awaitHead() {
        awaitingHead = true;
        awaitingSinceNanos = System.nanoTime();
    }

    /**
     * As {@link #awaitHead()}, and fire {@link #QUIET} if the connection stays silent for {@link #QUIET_NANOS}.
     * The timer is moved earlier only when it is due later than that, so a busy connection does not reschedule
     * it per request: it fires about once per {@link #QUIET_NANOS} and re-arms itself.
     */
    public void awaitHeadReportingQuiet() {
        awaitHead();
        quietPending = true;
        long due = awaitingSinceNanos + QUIET_NANOS;
        if (ctx != null && ctx.channel().isActive() && (timer == null || timerDueNanos - due > 0)) {
            cancel();
            schedule(awaitingSinceNanos);
        }
    }

    /**
     * For a handler put back after a stand-in held the connection's deadlines while it was quiet: the head
     * awaited since then is still late at the same moment. Call before adding the handler.
     */
    public void resumeAwaitingHeadSince(long sinceNanos) {
        awaitingHead = true;
        awaitingSinceNanos = sinceNanos;
        resumed = true;
    }

    /** When the head now awaited began to be awaited ({@link System#nanoTime()}). */
    public long awaitingHeadSinceNanos() {
        return awaitingSinceNanos;
    }

    /**
     * Nanoseconds from now until the head or the idle deadline closes the connection if nothing arrives (what a
     * quiet connection's stand-in must keep), {@link Long#MAX_VALUE} when neither applies.
     */
    public long nanosToHeadOrIdleDeadline() {
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        if (idleTimeoutNanos > 0) {
            next = lastActivityNanos + idleTimeoutNanos - now;
        }
        if (headTimeoutEnabled && awaitingHead && headTimeoutNanos > 0) {
            next = Math.min(next, awaitingSinceNanos + headTimeoutNanos - now);
        }
        return next;
    }

    public void headArrived() {
        awaitingHead = false;
        quietPending = false;
    }

    /**
     * What to do when the head deadline passes instead of closing the channel (h2: a header block still
     * incomplete is a connection error, GOAWAY with a code, not a graceful close). The action must end the
     * connection: the timer is not re-armed after it.
     */
    public void onHeadTimeout(Runnable action) {
        this.headTimeoutAction = action;
    }

    /** WebSocket connections have no request heads to wait for; only the idle timeout applies. */
    public void stopHeadTimeout() {
        headTimeoutEnabled = false;
        awaitingHead = false;
    }

    /** A request head that announces a body was decoded: its bytes must now keep coming. */
    public void bodyStarted() {
        if (!body.enforced()) {
            return;
        }
        long now = System.nanoTime();
        body.start(now);
        if (ctx != null && ctx.channel().isActive()) {
            long due = now + body.nanosToNextCheck(now);
            if (timer == null || timerDueNanos - due > 0) {
                cancel();
                schedule(now);
            }
        }
    }

    /** The last body content was decoded (or the exchange is over). */
    public void bodyEnded() {
        body.end();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        long now = System.nanoTime();
        if (!resumed) {
            awaitingSinceNanos = now;
        }
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
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (body.inBody()) {
            if (msg instanceof ByteBuf b) {
                body.bytesRead(b.readableBytes());
            } else if (msg instanceof ByteBufHolder h) {
                body.bytesRead(h.content().readableBytes());
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        lastActivityNanos = now;
        body.readAt(now);
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
        // through the whole pipeline, not from here: on h2 the frame codec then says GOAWAY before closing
        if (headTimeoutEnabled && awaitingHead && headTimeoutNanos > 0 && now - awaitingSinceNanos >= headTimeoutNanos) {
            if (headTimeoutAction != null) {
                headTimeoutAction.run();
            } else {
                ctx.channel().close();
            }
            return;
        }
        if (idleTimeoutNanos > 0 && now - lastActivityNanos >= idleTimeoutNanos) {
            ctx.channel().close();
            return;
        }
        if (body.inBody() && body.passed(now, ctx.channel().config().isAutoRead())) {
            ctx.channel().close();
            return;
        }
        if (quietPending && awaitingHead && now - lastActivityNanos >= QUIET_NANOS) {
            quietPending = false;
            ctx.fireUserEventTriggered(QUIET);
            if (ctx.isRemoved()) {
                return; // a stand-in took the connection's deadlines over
            }
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
        if (body.inBody()) {
            next = Math.min(next, body.nanosToNextCheck(now));
        }
        if (quietPending) {
            next = Math.min(next, lastActivityNanos + QUIET_NANOS - now);
        }
        if (next == Long.MAX_VALUE) {
            return;
        }
        long delay = Math.max(next, 1_000_000L);
        timerDueNanos = now + delay;
        timer = ctx.executor().schedule(this, delay, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
