package dev.gatehouse.proxy.timer;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A loop's timers of one length, on the embedded loop's clock: a 16 s length is swept every second. */
class DeadlinesTest {
    private final EmbeddedChannel ch = new EmbeddedChannel();
    private final Deadlines deadlines = new Deadlines(Duration.ofSeconds(16));
    private final List<String> fired = new ArrayList<>();

    private Deadlines.Timer timer(String name) {
        return deadlines.timer(ch.eventLoop(), () -> fired.add(name));
    }

    private void advance(long seconds) {
        for (long s = 0; s < seconds; s++) { // one second at a time, as a running loop would sweep
            ch.advanceTimeBy(1, TimeUnit.SECONDS);
            ch.runScheduledPendingTasks();
        }
    }

    @Test
    void firesEachTimerOnceWhenDueAndNotBefore() {
        Deadlines.Timer a = timer("a");
        a.arm();
        advance(5);
        timer("b").arm();
        advance(10);
        assertThat(fired).isEmpty();
        advance(2); // 17 s: a is due (16 s), b is not (12 s)
        assertThat(fired).containsExactly("a");
        advance(5); // 22 s: b at 17 s
        assertThat(fired).containsExactly("a", "b");
        advance(40);
        assertThat(fired).containsExactly("a", "b");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aTouchStartsTheLengthAgain() {
        Deadlines.Timer a = timer("a");
        a.arm();
        advance(10);
        a.touch();
        advance(10);
        a.touch();
        advance(15);
        assertThat(fired).isEmpty();
        advance(2); // 17 s after the last touch
        assertThat(fired).containsExactly("a");
    }

    @Test
    void aDisarmedTimerNeverFiresAndTheOthersStillDo() {
        Deadlines.Timer a = timer("a");
        Deadlines.Timer b = timer("b");
        Deadlines.Timer c = timer("c");
        a.arm();
        b.arm();
        c.arm();
        b.disarm();
        a.disarm();
        advance(20);
        assertThat(fired).containsExactly("c");
    }

    @Test
    void aTimerArmedAgainFromItsExpiryFiresAgainALengthLater() {
        List<Deadlines.Timer> self = new ArrayList<>();
        Deadlines.Timer a = deadlines.timer(ch.eventLoop(), () -> {
            fired.add("a");
            self.get(0).arm();
        });
        self.add(a);
        a.arm();
        advance(17);
        assertThat(fired).hasSize(1);
        advance(17);
        assertThat(fired).hasSize(2);
        a.disarm();
        advance(40);
        assertThat(fired).hasSize(2);
    }

    @Test
    void aTimerArmedForLessThanTheLengthFiresThenAndNoLongerThanTheLength() {
        timer("short").armIn(TimeUnit.SECONDS.toNanos(5));
        timer("long").armIn(TimeUnit.SECONDS.toNanos(100));
        advance(4);
        assertThat(fired).isEmpty();
        advance(2); // 6 s: within a sixteenth (1 s) after its 5 s
        assertThat(fired).containsExactly("short");
        advance(11); // 17 s: the long one is held to the length
        assertThat(fired).containsExactly("short", "long");
    }
}
