package dev.gatehouse.routing.ratelimit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket of {@code requests} tokens refilled evenly over {@code unit}, kept as one theoretical arrival
 * time (GCRA), so taking tokens is one compare-and-set and no lock: event loops share buckets.
 */
final class TokenBucket {
    private final long requests;
    private final long emission;
    private final long depth;
    /** when the bucket would be full again, in {@link System#nanoTime} time */
    private final AtomicLong full;

    TokenBucket(long requests, long unitNanos, long now) {
        this.requests = requests;
        this.emission = requests == 0 ? Long.MAX_VALUE : Math.max(1, unitNanos / requests);
        this.depth = requests == 0 ? 0 : emission * requests;
        this.full = new AtomicLong(now);
    }

    Quota take(long cost, long now) {
        if (requests == 0 || cost > requests) {
            return new Quota(false, 0, Math.max(1, depth / 1_000_000), Long.MAX_VALUE / 2_000_000);
        }
        while (true) {
            long f = full.get();
            long base = Math.max(f, now);
            long ahead = base - now + cost * emission;
            if (ahead > depth) {
                long remaining = (depth - (base - now)) / emission;
                return new Quota(false, remaining, millis(base - now), millis(ahead - depth));
            }
            if (full.compareAndSet(f, base + cost * emission)) {
                return new Quota(true, (depth - ahead) / emission, millis(ahead), 0);
            }
        }
    }

    private static long millis(long nanos) {
        return (nanos + 999_999) / 1_000_000;
    }
}
