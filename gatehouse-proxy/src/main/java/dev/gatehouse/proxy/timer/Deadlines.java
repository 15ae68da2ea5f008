package dev.gatehouse.proxy.timer;

import io.netty.util.concurrent.EventExecutor;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Timeouts of one length (the connect timeout, the idle timeout) kept as nginx keeps its timers rather than as a
 * task scheduled per channel: a timer is a link in its event loop's list, armed and disarmed in O(1) without
 * allocating, and one sweep per loop, every sixteenth of the length while the list is not empty, fires the timers
 * that are due. A scheduled task per channel cost a task object, a priority-queue insert and removal, and on
 * io_uring a new timeout operation whenever the earliest deadline changed, for timers that nearly never fire: a
 * relayed connection is connected in a millisecond and closed long before it is idle for an hour.
 * <p>
 * The list stays in the order timers were last looked at (armed, or checked by a sweep and found not due since
 * {@link Timer#touch} moved their start), so a sweep stops at the first one checked less than a period ago.
 * A timer fires between its length and a sixteenth more after its start (or the period given). One instance serves
 * every loop.
 */
public final class Deadlines {
    private final long lengthNanos;
    private final long periodNanos;
    private final Map<EventExecutor, Loop> loops = new ConcurrentHashMap<>();

    public Deadlines(Duration length) {
        this(length, length.dividedBy(16));
    }

    /**
     * @param period how often the sweep runs while a timer is armed: a timer fires between its length and this much
     *               more after its start (a sweep per period costs a scheduled task, however few timers are due)
     */
    public Deadlines(Duration length, Duration period) {
        this.lengthNanos = Math.max(1, length.toNanos());
        this.periodNanos = Math.max(1, period.toNanos());
    }

    public long lengthMillis() {
        return TimeUnit.NANOSECONDS.toMillis(lengthNanos);
    }

    /** A disarmed timer of {@code loop} (the only thread that may use it) running {@code onExpiry} when due. */
    public Timer timer(EventExecutor loop, Runnable onExpiry) {
        return new Timer(loops.computeIfAbsent(loop, Loop::new), onExpiry);
    }

    /** One event loop's timers, oldest check first. */
    private final class Loop implements Runnable {
        private final EventExecutor executor;
        private Timer head;
        private Timer tail;
        private boolean sweepPending;

        Loop(EventExecutor executor) {
            this.executor = executor;
        }

        long now() {
            return executor.ticker().nanoTime();
        }

        long lengthNanos() {
            return lengthNanos;
        }

        void append(Timer t, long checkedAt) {
            t.checkedAt = checkedAt;
            t.prev = tail;
            t.next = null;
            if (tail == null) {
                head = t;
            } else {
                tail.next = t;
            }
            tail = t;
            t.armed = true;
            if (!sweepPending) {
                sweepPending = true;
                executor.schedule(this, periodNanos, TimeUnit.NANOSECONDS);
            }
        }

        void unlink(Timer t) {
            if (t.prev == null) {
                head = t.next;
            } else {
                t.prev.next = t.next;
            }
            if (t.next == null) {
                tail = t.prev;
            } else {
                t.next.prev = t.prev;
            }
            t.prev = null;
            t.next = null;
            t.armed = false;
        }

        /** The sweep. */
        @Override
        public void run() {
            sweepPending = false;
            long now = now();
            for (Timer t = head; t != null && now - t.checkedAt >= periodNanos; t = head) {
                unlink(t);
                if (now - t.start >= lengthNanos) {
                    t.onExpiry.run(); // may arm it again
                } else {
                    append(t, now);
                }
            }
            if (head != null && !sweepPending) {
                sweepPending = true;
                executor.schedule(this, head.checkedAt + periodNanos - now, TimeUnit.NANOSECONDS);
            }
        }
    }

    /** A timeout of one connection; used on its loop only. */
    public static final class Timer { // static: no reference to the Deadlines, 8 bytes less per timer
        private final Loop loop;
        private final Runnable onExpiry;
        private Timer prev;
        private Timer next;
        private long start;
        private long checkedAt;
        private boolean armed;

        private Timer(Loop loop, Runnable onExpiry) {
            this.loop = loop;
            this.onExpiry = onExpiry;
        }

        /** Starts the length from now; the timer is armed once, touching it again only moves its start. */
        public void arm() {
            long now = loop.now();
            start = now;
            if (!armed) {
                loop.append(this, now);
            }
        }

        /**
         * Arms the timer to fire {@code nanos} from now (at most the length: a deadline that began earlier, such as
         * one carried over from a handler the timer stands in for), within a sixteenth of the length after it.
         */
        public void armIn(long nanos) {
            long now = loop.now();
            long length = loop.lengthNanos();
            start = now - length + Math.min(Math.max(0, nanos), length);
            if (!armed) {
                loop.append(this, now);
            }
        }

        /** Activity: the length starts again from now (a clock read, nothing moved in the list). */
        public void touch() {
            start = loop.now();
        }

        public void disarm() {
            if (armed) {
                loop.unlink(this);
            }
        }
    }
}
