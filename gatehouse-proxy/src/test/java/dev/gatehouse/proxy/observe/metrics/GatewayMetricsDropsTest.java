package dev.gatehouse.proxy.observe.metrics;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** A drop counter fed by a method reference nothing else holds (as the access log's is) outlives a GC. */
class GatewayMetricsDropsTest {
    @Test
    void aMonitoredCountSurvivesGarbageCollection() throws Exception {
        GatewayMetrics metrics = new GatewayMetrics();
        AtomicLong dropped = new AtomicLong(7);
        metrics.monitorDrops("gatehouse.test.dropped", "lines dropped", dropped::get); // a fresh object per call
        for (int i = 0; i < 5; i++) {
            System.gc(); // Micrometer keeps a function counter's object weakly: a lost one reads NaN
            Thread.sleep(20);
        }
        assertThat(metrics.scrape()).contains("gatehouse_test_dropped_total 7.0");
    }
}
