package dev.gatehouse.routing.balance;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Weighted choice with exact shares: over every {@code total} consecutive picks (total = sum of weights
 * after dividing by their gcd) each item is chosen exactly {@code weight} times.
 *
 * <p>For small totals the pick order is nginx's smooth weighted round robin (weights 5:1:1 give
 * a a b a c a a, not a a a a a b c), precomputed at compile time into a schedule; a pick is then
 * one atomic increment and an array read, lock-free and allocation-free. Larger totals (Gateway API
 * weights go to 1,000,000) would make the schedule too big, so the counter walks the cumulative weights
 * with a stride coprime to the total, which keeps shares exact per period and interleaves the items.
 *
 * <p>Why an {@link AtomicLong} and not per-event-loop state: a {@code FastThreadLocal} per compiled
 * route takes a global index that Netty never recycles, so every config reload would grow every
 * event loop's index array. With 1-2 loops the shared counter costs one uncontended CAS per pick.
 *
 * @param <T> what is picked
 */
public final class SmoothWeightedRoundRobin<T> {
    /** Largest schedule precomputed: 4096 ints = 16 KiB per weighted rule at most. */
    static final int MAX_SCHEDULE = 4096;

    private final List<T> items;
    private final int[] weights;
    private final int total;
    private final int[] schedule;
    private final long[] cumulative;
    private final int stride;
    private final AtomicLong next = new AtomicLong();

    private SmoothWeightedRoundRobin(List<T> items, int[] weights) {
        this.items = List.copyOf(items);
        this.weights = weights;
        long sum = 0;
        for (int w : weights) {
            sum += w;
        }
        if (sum > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("sum of weights " + sum + " too large");
        }
        this.total = (int) sum;
        if (total <= MAX_SCHEDULE) {
            this.schedule = smoothSchedule(weights, total);
            this.cumulative = null;
            this.stride = 0;
        } else {
            this.schedule = null;
            this.cumulative = new long[weights.length];
            long acc = 0;
            for (int i = 0; i < weights.length; i++) {
                acc += weights[i];
                cumulative[i] = acc;
            }
            this.stride = coprimeStride(total);
        }
    }

    /**
     * @param items candidates, in declared order (ties go to the earlier one)
     * @param weights one per item; items with weight 0 are never picked
     * @return a picker, or {@code null} when no item has a positive weight
     */
    public static <T> SmoothWeightedRoundRobin<T> of(List<T> items, List<Integer> weights) {
        if (items.size() != weights.size()) {
            throw new IllegalArgumentException("items and weights differ in size");
        }
        List<T> kept = new ArrayList<>(items.size());
        List<Integer> keptWeights = new ArrayList<>(items.size());
        int gcd = 0;
        for (int i = 0; i < items.size(); i++) {
            int w = weights.get(i);
            if (w < 0) {
                throw new IllegalArgumentException("negative weight " + w);
            }
            if (w > 0) {
                kept.add(items.get(i));
                keptWeights.add(w);
                gcd = gcd(gcd, w);
            }
        }
        if (kept.isEmpty()) {
            return null;
        }
        int[] reduced = new int[kept.size()];
        for (int i = 0; i < reduced.length; i++) {
            reduced[i] = keptWeights.get(i) / gcd;
        }
        return new SmoothWeightedRoundRobin<>(kept, reduced);
    }

    /** Lock-free; safe from any thread. */
    public T pick() {
        if (total == 1) {
            return items.get(0);
        }
        int position = (int) Math.floorMod(next.getAndIncrement(), (long) total);
        if (schedule != null) {
            return items.get(schedule[position]);
        }
        return items.get(slotOwner((int) (((long) position * stride) % total)));
    }

    /** The item whose cumulative-weight range holds {@code slot}. */
    private int slotOwner(int slot) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (slot < cumulative[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * A weighted random choice (backendRefs of a rule whose clusters pick at random or by least request: a shared
     * rotation would be the only cross-loop state of their picks). Exact in expectation; lock-free.
     */
    public T pickRandom() {
        if (total == 1) {
            return items.get(0);
        }
        int position = ThreadLocalRandom.current().nextInt(total);
        return schedule != null ? items.get(schedule[position]) : items.get(slotOwner(position));
    }

    /**
     * A weighted consistent choice for a key's hash: weighted rendezvous hashing (each item scores
     * {@code weight / -ln(u)} with {@code u} a uniform draw from the key and the item's seed; the highest wins), so
     * a key sticks to one item, each item gets its weight's share of keys, and changing one item's weight moves only
     * keys to or from it. O(items) per pick, no table.
     *
     * @param seeds one per {@link #items()}, from each item's stable identity (not its position)
     */
    public T pickConsistent(long hash, long[] seeds) {
        if (items.size() == 1) {
            return items.get(0);
        }
        int best = 0;
        double bestScore = -1;
        for (int i = 0; i < weights.length; i++) {
            double score = weights[i] / -Math.log(Hashing.unit(Hashing.mix(hash ^ seeds[i])));
            if (score > bestScore) {
                bestScore = score;
                best = i;
            }
        }
        return items.get(best);
    }

    /** Items with a positive weight, in declared order. */
    public List<T> items() {
        return items;
    }

    /** Weight of {@code items().get(i)} after reduction by the gcd. */
    public int weight(int i) {
        return weights[i];
    }

    /** Picks per full period. */
    public int period() {
        return total;
    }

    private static int[] smoothSchedule(int[] weights, int total) {
        int[] current = new int[weights.length];
        int[] order = new int[total];
        for (int step = 0; step < total; step++) {
            int best = 0;
            for (int i = 0; i < weights.length; i++) {
                current[i] += weights[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            order[step] = best;
        }
        return order;
    }

    /** A stride near total/golden ratio that is coprime to total, so {@code p*stride mod total} permutes 0..total-1. */
    private static int coprimeStride(int total) {
        int s = (int) (total * 0.6180339887) | 1;
        while (gcd(s, total) != 1) {
            s += 2;
        }
        return s;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
