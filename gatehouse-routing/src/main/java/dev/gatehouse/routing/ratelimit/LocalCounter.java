package dev.gatehouse.routing.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;

/**
 * The buckets of one local rule: one, or one per {@code Distinct} value in a bounded cache, so a flood of new
 * keys evicts old buckets instead of exhausting memory. A bucket idle for a whole unit is full again, so expiring
 * it then loses nothing; evicting one early (past {@link #MAX_KEYS}) gives that client a full bucket.
 */
final class LocalCounter {
    static final long MAX_KEYS = 100_000;

    private final long requests;
    private final long unitNanos;
    private final TokenBucket single;
    private final Cache<String, TokenBucket> distinct;

    LocalCounter(long requests, Duration unit, boolean distinct) {
        this.requests = requests;
        this.unitNanos = unit.toNanos();
        this.single = distinct ? null : new TokenBucket(requests, unitNanos, System.nanoTime());
        this.distinct = distinct ? Caffeine.newBuilder().maximumSize(MAX_KEYS).expireAfterAccess(unit).build() : null;
    }

    Quota take(String key, long cost, long now) {
        TokenBucket bucket = single != null ? single
                : distinct.get(key, k -> new TokenBucket(requests, unitNanos, now));
        return bucket.take(cost, now);
    }

    /** Buckets held (for tests and the admin API). */
    long size() {
        if (single != null) {
            return 1;
        }
        distinct.cleanUp();
        return distinct.estimatedSize();
    }
}
