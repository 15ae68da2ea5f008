package dev.gatehouse.proxy.observe.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A fixed-bucket latency histogram rendered as a Prometheus histogram. Recording is a short scan and two
 * adder increments, no clock read and no allocation: a Micrometer timer also keeps a time-windowed max
 * (reading the wall clock on every record), and three of those per request were most of what metrics cost
 * the event loop. Counts are per bucket here and made cumulative only when scraped.
 */
final class LatencyHistogram {
    private final long[] upperNanos;
    /** One per bucket, the last one for values above every bound (+Inf). */
    private final LongAdder[] counts;
    private final LongAdder sumNanos = new LongAdder();

    LatencyHistogram(long[] upperNanos) {
        this.upperNanos = upperNanos;
        this.counts = new LongAdder[upperNanos.length + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void record(long nanos) {
        long v = Math.max(nanos, 0);
        int i = 0;
        while (i < upperNanos.length && v > upperNanos[i]) {
            i++;
        }
        counts[i].increment();
        sumNanos.add(v);
    }

    long count() {
        long n = 0;
        for (LongAdder c : counts) {
            n += c.sum();
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
        long cumulative = 0;
        for (int i = 0; i < counts.length; i++) {
            cumulative += counts[i].sum();
            sb.append(name).append("_bucket{").append(labels).append(",le=\"").append(le[i]).append("\"} ")
                    .append((double) cumulative).append('\n');
        }
        sb.append(name).append("_count{").append(labels).append("} ").append((double) cumulative).append('\n');
        sb.append(name).append("_sum{").append(labels).append("} ").append(sumNanos.sum() / 1e9).append('\n');
    }
}
