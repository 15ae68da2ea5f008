package dev.gatehouse.kubernetes;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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

    /**
     * What is due when is read from the delays the debouncer asks its timer for, not from when calls happen: on a
     * busy machine a timer fires late, which made "acted on at once" look like "held back" (and a quiet of 3 s is
     * not much more than a stalled test thread). The timer here runs a task only when the test says.
     */
    @Test
    void aLoneEventAfterTheQuietIsActedOnAtOnceAndTheNextOnesAfterTheQuiet() {
        Duration quiet = Duration.ofSeconds(60);
        try (ManualTimer manual = new ManualTimer()) {
            Debouncer d = new Debouncer(manual, quiet, Duration.ofMinutes(10), calls::incrementAndGet);
            d.poke();
            assertThat(manual.delays).as("not held back by the quiet that a burst would need")
                    .containsExactly(Debouncer.GATHER);
            manual.runLast();
            assertThat(calls.get()).isEqualTo(1);

            // an event right after is part of a burst: acted on once the quiet has passed, not at once
            d.poke();
            assertThat(manual.delays).hasSize(2).last().isEqualTo(quiet);
            manual.runLast();
            assertThat(calls.get()).isEqualTo(2);
        }
    }

    @Test
    void eventsThatNeverStopStillCallEveryMaxDelay() throws Exception {
        Duration quiet = Duration.ofMillis(200);
        Duration maxDelay = Duration.ofMillis(300);
        Debouncer d = new Debouncer(timer, quiet, maxDelay, calls::incrementAndGet);
        long start = System.nanoTime();
        long end = start + Duration.ofMillis(1500).toNanos();
        long last = start;
        int quietGaps = 0;
        while (System.nanoTime() < end) { // an event every 20 ms: never 200 ms of quiet, unless the machine stalls
            d.poke();
            long now = System.nanoTime();
            if (now - last >= quiet.toNanos()) {
                quietGaps++; // a stalled loop gave a quiet after all: the next event is a leading call of its own
            }
            last = now;
            Thread.sleep(20);
        }
        // quiet alone would give 0 calls until the end; the max delay gives one about every 300 ms (5 here), and a
        // call per event would give 75
        long maxDelays = (System.nanoTime() - start) / maxDelay.toNanos();
        assertThat(calls.get()).isBetween(2, (int) (1 + maxDelays + quietGaps));
    }

    /** A timer that records the delays asked for and runs a task when the test says (never on its own). */
    private static final class ManualTimer extends ScheduledThreadPoolExecutor implements AutoCloseable {
        final List<Duration> delays = new CopyOnWriteArrayList<>();
        final List<Runnable> tasks = new CopyOnWriteArrayList<>();

        ManualTimer() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            delays.add(Duration.ofNanos(unit.toNanos(delay)));
            tasks.add(command);
            return super.schedule(() -> { }, 1, TimeUnit.DAYS); // cancellable like the real one; never runs
        }

        void runLast() {
            tasks.get(tasks.size() - 1).run();
        }

        @Override
        public void close() {
            shutdownNow();
        }
    }
}
