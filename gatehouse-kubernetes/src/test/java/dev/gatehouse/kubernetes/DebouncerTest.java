package dev.gatehouse.kubernetes;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class DebouncerTest {
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final AtomicInteger calls = new AtomicInteger();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void aBurstIsOneCallAfterTheQuiet() throws Exception {
        Debouncer d = new Debouncer(timer, Duration.ofMillis(200), Duration.ofSeconds(30), calls::incrementAndGet);
        for (int i = 0; i < 1000; i++) {
            d.poke();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 1);
        Thread.sleep(400);
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void eventsThatNeverStopStillCallEveryMaxDelay() throws Exception {
        Debouncer d = new Debouncer(timer, Duration.ofMillis(200), Duration.ofMillis(300), calls::incrementAndGet);
        long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        while (System.nanoTime() < end) { // an event every 20 ms: never 200 ms of quiet
            d.poke();
            Thread.sleep(20);
        }
        // quiet alone would give 0 calls until the end; the max delay gives one about every 300 ms
        assertThat(calls.get()).isBetween(2, 6);
    }
}
