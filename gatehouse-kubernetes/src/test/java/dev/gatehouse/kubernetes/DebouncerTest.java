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
    void aBurstIsTheLeadingCallAndAtMostOneAfterTheQuiet() throws Exception {
        Debouncer d = new Debouncer(timer, Duration.ofMillis(200), Duration.ofSeconds(30), calls::incrementAndGet);
        for (int i = 0; i < 1000; i++) {
            d.poke();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() >= 1);
        Thread.sleep(600);
        // one when the events came within the leading call's gathering (nearly always), else one more after them
        assertThat(calls.get()).isBetween(1, 2);
    }

    @Test
    void aLoneEventAfterTheQuietIsActedOnAtOnceAndTheNextOnesAfterTheQuiet() throws Exception {
        Debouncer d = new Debouncer(timer, Duration.ofSeconds(3), Duration.ofSeconds(30), calls::incrementAndGet);
        long start = System.nanoTime();
        d.poke();
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 1);
        // not held back by the quiet (3 s) that a burst would need
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));

        // an event right after is part of a burst: acted on once the quiet has passed, not at once
        d.poke();
        Thread.sleep(1000);
        assertThat(calls.get()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 2);
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
