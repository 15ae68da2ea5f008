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

    private static String render(LatencyHistogram h) {
        StringBuilder sb = new StringBuilder();
        h.appendTo(sb, "t_seconds", "route=\"r\"", LE);
        return sb.toString();
    }

    @Test
    void aValueOnABoundCountsInThatBucketAndBucketsAreCumulative() {
        LatencyHistogram h = new LatencyHistogram(BOUNDS);
        h.record(1_000);   // le 1us
        h.record(1_001);   // le 10us
        h.record(100_000); // le 100us
        h.record(5_000_000); // +Inf only
        h.record(-5);      // a clock step backwards counts as 0
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
    void recordsFromSeveralThreadsAreAllCounted() throws Exception {
        LatencyHistogram h = new LatencyHistogram(BOUNDS);
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
                    h.record(ThreadLocalRandom.current().nextLong(200_000));
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
