package dev.gatehouse.kubernetes;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Turns a burst of informer events into a handful of calls. An event after {@code quiet} without any is acted on at
 * once (after {@link #GATHER}, which lets the rest of an informer's batch arrive first): a lone change, the common
 * case, is not held back by the quiet it cannot know will follow. Events while that call is due join it; later ones
 * are acted on {@code quiet} after the last of them, but never later than {@code maxDelay} after the first, so a
 * cluster that never stops changing (a rollout of 1,000 pods) still gets its config live every {@code maxDelay}. Each
 * call makes the control loop read every cache once, so a burst costs a handful of translations, not one per event.
 */
final class Debouncer {
    /** How long a leading call waits for the events that came with its first (a watch delivers them together). */
    static final Duration GATHER = Duration.ofMillis(10);

    private final ScheduledExecutorService timer;
    private final long quietNanos;
    private final long maxDelayNanos;
    private final Runnable action;
    /** nanoTime of the first event not yet acted on, or -1 */
    private long firstPending = -1;
    /** whether the pending call is a leading one (due {@link #GATHER} after its event, not moved by later ones) */
    private boolean leading;
    /** nanoTime of the last event; a burst is over when {@code quiet} has passed since */
    private long lastEvent;
    private boolean anyEvent;
    /** bumped by each schedule: a timer that fires for an older one does nothing */
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
        boolean quietBefore = !anyEvent || now - lastEvent >= quietNanos;
        anyEvent = true;
        lastEvent = now;
        if (firstPending >= 0 && leading) {
            return; // the leading call due soon reads the caches after this event too
        }
        if (firstPending < 0) {
            firstPending = now;
            leading = quietBefore;
        }
        long due = leading ? now + GATHER.toNanos() : Math.min(now + quietNanos, firstPending + maxDelayNanos);
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        long mine = ++sequence;
        scheduled = timer.schedule(() -> fire(mine), Math.max(0, due - now), TimeUnit.NANOSECONDS);
    }

    private void fire(long mine) {
        synchronized (this) {
            if (mine != sequence) {
                return; // a later event rescheduled: that timer acts
            }
            firstPending = -1;
            leading = false;
            scheduled = null;
        }
        action.run();
    }
}
