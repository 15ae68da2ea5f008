package dev.gatehouse.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves the leak check is live in the module that runs it: an unreleased buffer is recorded (and then forgiven
 * for this test only). Each module that uses {@link LeakCheckExtension} extends it once, so a module whose wiring
 * breaks (the properties file or the dependency gone) fails here instead of silently checking nothing.
 */
public abstract class LeakCheckSelfTest {

    @Test
    void anUnreleasedBufferIsDetected() throws Exception {
        leak();
        long deadline = System.nanoTime() + 30_000_000_000L; // the GC finds it at its own pace on a busy machine
        while (LeakCheckExtension.pendingLeaks() == 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
            ByteBufAllocator.DEFAULT.directBuffer(8).release();
        }
        assertTrue(LeakCheckExtension.pendingLeaks() > 0, "the leak check did not record an unreleased buffer");
        LeakCheckExtension.clear();
    }

    private static void leak() {
        ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(16);
        b.writeInt(42);
    }
}
