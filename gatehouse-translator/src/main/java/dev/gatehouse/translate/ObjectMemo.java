package dev.gatehouse.translate;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * What one translation computed from an input object, kept for the next translation of the very same object.
 * Keyed by identity: an informer replaces an object on update and never changes it, and the YAML loader parses a
 * file whose bytes changed into new objects (keeping those of unchanged files), so the same instance means the same
 * content, and a changed object is computed afresh. The
 * translator stays a function of its input: a hit returns what computing would. Only the objects of the last
 * translation are kept, so the memo holds what the config holds, no more.
 *
 * <p>Thread-safe: each translation works on a {@link Round} of its own; a finished round's map is published whole
 * and never changed after, so concurrent translations (validate, explain, a reload) each see a complete map.
 */
public final class ObjectMemo<K, V> {
    private final AtomicReference<Map<K, V>> last = new AtomicReference<>(new IdentityHashMap<>());

    /** Starts one translation's use of the memo; {@link Round#finish()} makes it the one the next reads. */
    public Round<K, V> round() {
        return new Round<>(this, last.get());
    }

    /** One translation's view: the previous round's results to read, this round's to keep. Single-threaded. */
    public static final class Round<K, V> {
        private final ObjectMemo<K, V> memo;
        private final Map<K, V> previous;
        private final Map<K, V> current;

        private Round(ObjectMemo<K, V> memo, Map<K, V> previous) {
            this.memo = memo;
            this.previous = previous;
            // sized for as many objects as last time: growing it by doubling rehashed 15,000 entries per reload
            this.current = new IdentityHashMap<>(previous.size());
        }

        /** The result for {@code key}: the previous round's for this very object, or {@code compute}'s. */
        public V get(K key, Function<K, V> compute) {
            V v = current.get(key);
            if (v == null) {
                v = previous.get(key);
                if (v == null) {
                    v = compute.apply(key);
                }
                current.put(key, v);
            }
            return v;
        }

        /** Keeps this round's results (only those) for the next translation. */
        public void finish() {
            memo.last.set(current);
        }
    }
}
