package dev.gatehouse.proxy.observe.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A fixed-bucket latency histogram rendered as a Prometheus histogram. Recording is a short scan and two
 * adder increments, no clock read and no allocation: a Micrometer timer also keeps a time-windowed max
 * (reading the wall clock on every record), and three of those per request were most of what metrics cost
 * the event loop. Counts are per bucket here and made cumulative only when scraped. The adders are made on the
 * first record (or {@link #touch}): a route that serves nothing keeps none and is not scraped.
 */
final class LatencyHistogram {
    private final long[] upperNanos;
    /** One per bucket, the last one for values above every bound (+Inf). */
    private volatile Adders adders;

    /** The bucket counts, one per bucket and the last for values above every bound (+Inf), and the sum. */
    private record Adders(LongAdder[] counts, LongAdder sumNanos) {
    }

    LatencyHistogram(long[] upperNanos) {
        this.upperNanos = upperNanos;
    }

    void record(long nanos) {
        Adders a = adders();
        long v = Math.max(nanos, 0);
        int i = 0;
        while (i < upperNanos.length && v > upperNanos[i]) {
            i++;
        }
        a.counts()[i].increment();
        a.sumNanos().add(v);
    }

    /** Makes the series scraped (at 0 until recorded). */
    void touch() {
        adders();
    }

    private Adders adders() {
        Adders a = adders;
        return a != null ? a : create();
    }

    private synchronized Adders create() {
        if (adders == null) {
            LongAdder[] counts = new LongAdder[upperNanos.length + 1];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
            adders = new Adders(counts, new LongAdder());
        }
        return adders;
    }

    /** Whether it was recorded or touched: scraped only then. */
    boolean started() {
        return adders != null;
    }

    long count() {
        Adders a = adders;
        long n = 0;
        for (LongAdder c : a == null ? new LongAdder[0] : a.counts()) {
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
        Adders a = adders;
        if (a == null) {
            return;
        }
        LongAdder[] counts = a.counts();
        long cumulative = 0;
        for (int i = 0; i < counts.length; i++) {
            cumulative += counts[i].sum();
            sb.append(name).append("_bucket{").append(labels).append(",le=\"").append(le[i]).append("\"} ")
                    .append((double) cumulative).append('\n');
        }
        sb.append(name).append("_count{").append(labels).append("} ").append((double) cumulative).append('\n');
        sb.append(name).append("_sum{").append(labels).append("} ").append(a.sumNanos().sum() / 1e9).append('\n');
    }
}
