package dev.gatehouse.proxy.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Proves the leak check is live: an unreleased buffer is recorded (and then forgiven for this test only). */
class LeakCheckSelfTest {

    @Test
    void anUnreleasedBufferIsDetected() throws Exception {
        leak();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (LeakCheckExtension.pendingLeaks() == 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
            ByteBufAllocator.DEFAULT.directBuffer(8).release();
        }
        assertThat(LeakCheckExtension.pendingLeaks()).isPositive();
        LeakCheckExtension.clear();
    }

    private static void leak() {
        ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(16);
        b.writeInt(42);
    }
}
