package dev.gatehouse.proxy.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The deadlines of one request body while it is read: silence longer than the body idle timeout, a body longer
 * than the total deadline, or (after a grace of one body idle timeout) an average rate below the minimum. Time
 * while WE stopped reading (back-pressure from a slow backend) is not held against the client. Kept by the
 * connection's {@link ConnectionTimeoutHandler} (HTTP/1.1) or by each {@link Http2ClientStream}; the owner's
 * timer asks {@link #passed} and {@link #nanosToNextCheck}.
 */
final class RequestBodyPace {
    private static final long RATE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long idleNanos;
    private final long totalNanos;
    private final long minBytesPerSecond;
    private boolean inBody;
    private long startNanos;
    private long lastReadNanos;
    private long rateStartNanos;
    private long rateBytes;

    /**
     * @param bodyIdle null or zero: no body idle timeout
     * @param bodyTotal null or zero: no total body deadline
     * @param minBytesPerSecond zero: no minimum rate
     */
    RequestBodyPace(Duration bodyIdle, Duration bodyTotal, long minBytesPerSecond) {
        this.idleNanos = nanos(bodyIdle);
        this.totalNanos = nanos(bodyTotal);
        this.minBytesPerSecond = Math.max(0, minBytesPerSecond);
    }

    private static long nanos(Duration d) {
        return d == null || d.isNegative() ? 0 : d.toNanos();
    }

    /** Whether any deadline applies at all. */
    boolean enforced() {
        return idleNanos != 0 || totalNanos != 0 || minBytesPerSecond != 0;
    }

    boolean inBody() {
        return inBody;
    }

    /** A body starts now (only when {@link #enforced}). */
    void start(long now) {
        inBody = true;
        startNanos = now;
        lastReadNanos = now;
        rateStartNanos = now;
        rateBytes = 0;
    }

    void end() {
        inBody = false;
    }

    void bytesRead(long bytes) {
        rateBytes += bytes;
    }

    /** A read batch of the client's ended. */
    void readAt(long now) {
        lastReadNanos = now;
    }

    /** @param reading false while we paused the client's reads: the time is not the client's */
    boolean passed(long now, boolean reading) {
        if (!reading) {
            lastReadNanos = now;
            startNanos = now;
            rateStartNanos = now;
            rateBytes = 0;
            return false;
        }
        if (idleNanos > 0 && now - lastReadNanos >= idleNanos) {
            return true;
        }
        if (totalNanos > 0 && now - startNanos >= totalNanos) {
            return true;
        }
        if (minBytesPerSecond > 0) {
            long elapsed = now - rateStartNanos;
            long grace = idleNanos > 0 ? idleNanos : RATE_CHECK_NANOS;
            return elapsed >= grace && rateBytes * 1_000_000_000.0 / elapsed < minBytesPerSecond;
        }
        return false;
    }

    /** Nanoseconds from {@code now} to the next check, {@link Long#MAX_VALUE} when no deadline applies. */
    long nanosToNextCheck(long now) {
        long next = Long.MAX_VALUE;
        if (idleNanos > 0) {
            next = lastReadNanos + idleNanos - now;
        }
        if (totalNanos > 0) {
            next = Math.min(next, startNanos + totalNanos - now);
        }
        if (minBytesPerSecond > 0) {
            next = Math.min(next, RATE_CHECK_NANOS);
        }
        return next;
    }
}
