package dev.gatehouse.routing.balance;

import io.netty.util.concurrent.FastThreadLocal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small number per thread, so per-event-loop state can live in plain arrays indexed by it. One global
 * {@link FastThreadLocal} (not one per cluster: Netty never recycles their indexes, so a per-cluster one would grow
 * every loop's table on every reload).
 */
final class LoopIndex {
    /** Rows per cluster; event loops are few, and a thread beyond this shares a row (see {@link #current}). */
    static final int ROWS = 64;
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final FastThreadLocal<Integer> ID = new FastThreadLocal<>() {
        @Override
        protected Integer initialValue() {
            return NEXT.getAndIncrement() & (ROWS - 1);
        }
    };

    private LoopIndex() {
    }

    /**
     * This thread's row, 0..ROWS-1. Beyond ROWS threads, two threads may share a row: their counts then race, which
     * can only make least-request's estimate of load drift (counts are clamped at zero), never break a pick.
     */
    static int current() {
        return ID.get();
    }
}
