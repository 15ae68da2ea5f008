package dev.gatehouse.proxy.observe.metrics;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyHistogramTest {
    private static final long[] BOUNDS = {1_000, 10_000, 100_000};
    private static final String[] LE = {"0.000001", "0.00001", "0.0001", "+Inf"};

    private final RouteCells cells = new RouteCells(LatencyHistogram.width(BOUNDS));

    /** A histogram over one route's block at cell 0, as a route's meters make it. */
    private LatencyHistogram histogram() {
        LatencyHistogram h = new LatencyHistogram(BOUNDS);
        h.addSource(cells, 0);
        h.touch();
        return h;
    }

    private void record(long nanos) {
        LatencyHistogram.record(cells.stripe(), 0, BOUNDS, nanos);
    }

    private static String render(LatencyHistogram h) {
        StringBuilder sb = new StringBuilder();
        h.appendTo(sb, "t_seconds", "route=\"r\"", LE);
        return sb.toString();
    }

    @Test
    void aValueOnABoundCountsInThatBucketAndBucketsAreCumulative() {
        LatencyHistogram h = histogram();
        record(1_000);   // le 1us
        record(1_001);   // le 10us
        record(100_000); // le 100us
        record(5_000_000); // +Inf only
        record(-5);      // a clock step backwards counts as 0
        assertThat(render(h)).isEqualTo("""
                t_seconds_bucket{route="r",le="0.000001"} 2.0
                t_seconds_bucket{route="r",le="0.00001"} 3.0
                t_seconds_bucket{route="r",le="0.0001"} 4.0
                t_seconds_bucket{route="r",le="+Inf"} 5.0
                t_seconds_count{route="r"} 5.0
                t_seconds_sum{route="r"} 0.005102001
                """);
        assertThat(h.count()).isEqualTo(5);
    }

    @Test
    void aBlockThatLeavesKeepsItsCountsInTheHistogram() {
        LatencyHistogram h = histogram();
        record(500);
        RouteCells next = new RouteCells(LatencyHistogram.width(BOUNDS));
        h.addSource(next, 0); // the route's new meter set, after a reload that changed its backends
        h.fold(cells, 0);
        record(500); // a request of the old set completing after that reload is not counted
        LatencyHistogram.record(next.stripe(), 0, BOUNDS, 50_000);
        assertThat(render(h)).contains("t_seconds_bucket{route=\"r\",le=\"0.000001\"} 1.0",
                "t_seconds_count{route=\"r\"} 2.0", "t_seconds_sum{route=\"r\"} 5.05E-5");
    }

    @Test
    void recordsFromSeveralThreadsAreAllCounted() throws Exception {
        LatencyHistogram h = histogram();
        int threads = 4;
        int each = 50_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    record(ThreadLocalRandom.current().nextLong(200_000));
                }
            });
            th.start();
            all.add(th);
        }
        go.countDown();
        for (Thread th : all) {
            th.join(10_000);
        }
        assertThat(h.count()).isEqualTo((long) threads * each);
        assertThat(render(h)).contains("t_seconds_bucket{route=\"r\",le=\"+Inf\"} " + (double) (threads * each));
    }
}
