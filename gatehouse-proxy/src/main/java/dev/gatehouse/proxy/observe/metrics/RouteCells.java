package dev.gatehouse.proxy.observe.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * All the counts of one route in one {@code long[]} (a stripe): its requests by backend and status class, its
 * byte counts and its three latency histograms, at fixed indexes ({@link RouteMeters}' layout). A request then
 * touches a handful of adjacent cache lines instead of ~25 objects (a Micrometer counter and a LongAdder per
 * series and per bucket): with traffic spread over ~1,000 of 10,000 routes each of those was a cache miss, and
 * the meters cost 1.9 us of a ~26 us request. Like a LongAdder, it starts with one stripe and adds stripes when
 * two threads collide on it, so a route served by several event loops does not bounce one line between cores;
 * a thread's stripe is picked by its id (event loops are created together, so their ids are consecutive).
 * Nothing is allocated until the route serves: 10,000 routes of which a few serve keep a few stripes.
 */
final class RouteCells {
    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);
    private static final long[][] NONE = new long[0][];
    /** A power of two: enough for one stripe per event loop, as the loops are sized from the CPUs. */
    private static final int MAX_STRIPES = Math.min(16, Integer.highestOneBit(
            Math.max(1, Runtime.getRuntime().availableProcessors() * 2 - 1)));
    /** Longs after a stripe's cells, so that two stripes allocated side by side share no cache line. */
    private static final int PAD = 8;

    private final int width;
    private volatile long[][] stripes = NONE;

    RouteCells(int width) {
        this.width = width;
    }

    /** The calling thread's stripe, made on the route's first request. */
    long[] stripe() {
        long[][] s = stripes;
        if (s.length == 1) {
            return s[0];
        }
        return s.length == 0 ? firstStripe() : s[(int) Thread.currentThread().getId() & (s.length - 1)];
    }

    /**
     * Adds 1 at {@code index} with a compare-and-set, whose failure is how a collision with another thread
     * shows; then the cells grow a stripe. Use it for the first add of a record.
     *
     * @return the value before
     */
    long incrementFirst(long[] stripe, int index) {
        long v = (long) CELL.getOpaque(stripe, index);
        if (CELL.compareAndSet(stripe, index, v, v + 1)) {
            return v;
        }
        grow(stripe);
        return add(stripe, index, 1);
    }

    /** @return the value before */
    static long add(long[] stripe, int index, long delta) {
        return (long) CELL.getAndAdd(stripe, index, delta);
    }

    /** The count at {@code index} over all stripes, for scrapes (a record racing it shows in the next one). */
    long sum(int index) {
        long n = 0;
        for (long[] s : stripes) {
            n += (long) CELL.getOpaque(s, index);
        }
        return n;
    }

    private synchronized long[] firstStripe() {
        if (stripes.length == 0) {
            stripes = new long[][] {new long[width + PAD]};
        }
        return stripe();
    }

    /** Doubles the stripes unless another thread already did since {@code contended} was picked. */
    private synchronized void grow(long[] contended) {
        long[][] s = stripes;
        if (s.length >= MAX_STRIPES || s[(int) Thread.currentThread().getId() & (s.length - 1)] != contended) {
            return;
        }
        long[][] more = java.util.Arrays.copyOf(s, s.length * 2);
        for (int i = s.length; i < more.length; i++) {
            more[i] = new long[width + PAD];
        }
        stripes = more;
    }
}
