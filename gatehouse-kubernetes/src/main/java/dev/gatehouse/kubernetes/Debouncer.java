package dev.gatehouse.kubernetes;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Turns a burst of informer events into one call: {@code quiet} after the last event, but never later than
 * {@code maxDelay} after the first, so a cluster that never stops changing (a rollout of 1,000 pods) still gets its
 * config live every {@code maxDelay}. Each call makes the control loop read every cache once, so a burst costs a
 * handful of translations, not one per event.
 */
final class Debouncer {
    private final ScheduledExecutorService timer;
    private final long quietNanos;
    private final long maxDelayNanos;
    private final Runnable action;
    /** nanoTime of the first event not yet acted on, or -1 */
    private long firstPending = -1;
    /** bumped by each event: a timer that fires for an older event does nothing */
    private long sequence;
    private ScheduledFuture<?> scheduled;

    Debouncer(ScheduledExecutorService timer, Duration quiet, Duration maxDelay, Runnable action) {
        this.timer = timer;
        this.quietNanos = quiet.toNanos();
        this.maxDelayNanos = maxDelay.toNanos();
        this.action = action;
    }

    /** Called on informer threads for every event; cheap. */
    synchronized void poke() {
        long now = System.nanoTime();
        if (firstPending < 0) {
            firstPending = now;
        }
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        long due = Math.min(now + quietNanos, firstPending + maxDelayNanos);
        long mine = ++sequence;
        scheduled = timer.schedule(() -> fire(mine), Math.max(0, due - now), TimeUnit.NANOSECONDS);
    }

    private void fire(long mine) {
        synchronized (this) {
            if (mine != sequence) {
                return; // a later event rescheduled: that timer acts
            }
            firstPending = -1;
            scheduled = null;
        }
        action.run();
    }
}
