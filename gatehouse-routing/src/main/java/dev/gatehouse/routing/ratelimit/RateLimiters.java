package dev.gatehouse.routing.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;

/**
 * The gateway's long-lived rate-limit state: local counters, kept across reloads while a snapshot's filters hold
 * them (weak values: a rule that leaves the config takes its buckets with it), and the global store with what to
 * do when it cannot answer.
 */
public final class RateLimiters {
    private record Key(String bucket, long requests, Duration unit, boolean distinct) { }

    private final Cache<Key, LocalCounter> local = Caffeine.newBuilder().weakValues().build();
    private volatile GlobalRateLimitStore global;
    private volatile boolean failClosed;

    /**
     * @param store where global rules count, or {@code null} (global rules then fail as if the store were down)
     * @param failClosed refuse (503) instead of letting requests through when the store cannot answer
     */
    public void global(GlobalRateLimitStore store, boolean failClosed) {
        this.global = store;
        this.failClosed = failClosed;
    }

    GlobalRateLimitStore global() {
        return global;
    }

    boolean failClosed() {
        return failClosed;
    }

    /** The counter of a local rule; the same one as the previous snapshot's while the rule is unchanged. */
    LocalCounter local(String bucket, long requests, Duration unit, boolean distinct) {
        return local.get(new Key(bucket, requests, unit, distinct), k -> new LocalCounter(requests, unit, distinct));
    }
}
