package dev.gatehouse.proxy.observe.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * A fixed-bucket latency histogram rendered as a Prometheus histogram. Its counts live in the {@link RouteCells}
 * of the routes that record into it, as a block of {@link #width} cells: the sum, then one count per bucket and
 * the last for values above every bound (+Inf). Recording is a short scan and two adds, no clock read and no
 * allocation: a Micrometer timer also keeps a time-windowed max (reading the wall clock on every record), and
 * three of those per request were most of what metrics cost the event loop. Counts are per bucket and made
 * cumulative only when scraped. A histogram is scraped once a route recorded into it (or {@link #touch}ed it).
 */
final class LatencyHistogram {
    /** One route's block of this histogram. */
    private record Source(RouteCells cells, int offset) {
    }

    private final long[] upperNanos;
    /** Guarded by this: the blocks of the routes that record into it; one but during a reload. */
    private final List<Source> sources = new ArrayList<>(1);
    /** Guarded by this: the sum and bucket counts of sources that left, as a block; {@code null} until one did. */
    private long[] folded;
    private volatile boolean started;

    LatencyHistogram(long[] upperNanos) {
        this.upperNanos = upperNanos;
    }

    /** The cells of one block: the sum, the buckets and +Inf. */
    static int width(long[] upperNanos) {
        return upperNanos.length + 2;
    }

    /** Into the block at {@code offset} of a route's stripe: on the event loop, per request. */
    static void record(long[] stripe, int offset, long[] upperNanos, long nanos) {
        long v = Math.max(nanos, 0);
        int i = 0;
        while (i < upperNanos.length && v > upperNanos[i]) {
            i++;
        }
        RouteCells.add(stripe, offset + 1 + i, 1);
        RouteCells.add(stripe, offset, v);
    }

    synchronized void addSource(RouteCells cells, int offset) {
        sources.add(new Source(cells, offset));
    }

    /** As {@link CellCounter#fold}: a route's block leaves while the histogram stays. */
    synchronized void fold(RouteCells cells, int offset) {
        if (sources.remove(new Source(cells, offset))) {
            if (folded == null) {
                folded = new long[width(upperNanos)];
            }
            for (int j = 0; j < folded.length; j++) {
                folded[j] += cells.sum(offset + j);
            }
        }
    }

    /** Makes the series scraped (at 0 until recorded). */
    void touch() {
        if (!started) {
            started = true;
        }
    }

    /** Whether it was recorded or touched: scraped only then. */
    boolean started() {
        return started;
    }

    /** The block summed over its sources: [sum, buckets..., +Inf]. */
    private synchronized long[] totals() {
        long[] t = folded == null ? new long[width(upperNanos)] : folded.clone();
        for (Source s : sources) {
            for (int j = 0; j < t.length; j++) {
                t[j] += s.cells().sum(s.offset() + j);
            }
        }
        return t;
    }

    long count() {
        long[] t = totals();
        long n = 0;
        for (int j = 1; j < t.length; j++) {
            n += t[j];
        }
        return n;
    }

    /**
     * {@code name_bucket{labels,le="..."}}, {@code name_count} and {@code name_sum} (seconds). Buckets are
     * summed first and count is their total, so a scrape racing a record never shows count below a bucket.
     *
     * @param labels rendered label pairs without braces, e.g. {@code listener="a",route="b"}
     */
    void appendTo(StringBuilder sb, String name, String labels, String[] le) {
        if (!started) {
            return;
        }
        long[] t = totals();
        long cumulative = 0;
        for (int i = 1; i < t.length; i++) {
            cumulative += t[i];
            sb.append(name).append("_bucket{").append(labels).append(",le=\"").append(le[i - 1]).append("\"} ")
                    .append((double) cumulative).append('\n');
        }
        sb.append(name).append("_count{").append(labels).append("} ").append((double) cumulative).append('\n');
        sb.append(name).append("_sum{").append(labels).append("} ").append(t[0] / 1e9).append('\n');
    }
}
