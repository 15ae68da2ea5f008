package dev.gatehouse.testing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes a Netty buffer leak FAIL the test that caused it. Registered for every test of a module that has this
 * jar on its test classpath (META-INF/services here) and {@code junit.jupiter.extensions.autodetection.enabled=true}
 * in its {@code junit-platform.properties}; such a module also extends {@link LeakCheckSelfTest} once to prove it.
 * Its static initialiser installs a leak detector factory that records every report;
 * it runs when the JUnit engine loads extensions, before any test touches a Netty buffer class, so every
 * detector is a recording one. After each test that tracked a buffer (or followed one that did) it collects
 * garbage, forces the detectors to poll their reference queues (any tracked allocation does), and fails on a
 * recorded leak; a test that never touched a buffer skips the collections, which would cost it 100 ms. Level is
 * paranoid (surefire argLine), so every buffer is tracked.
 */
public final class LeakCheckExtension implements AfterEachCallback {
    private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();
    /** buffers (and other resources) tracked so far, and how many of them the last check covered */
    private static final AtomicLong TRACKED = new AtomicLong();
    private static long checkedUpTo = -1;

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                        long maxActive) {
                return new Recording<>(resource, samplingInterval);
            }
        });
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (TRACKED.get() == checkedUpTo && LEAKS.isEmpty()) {
            return; // nothing tracked since the last check: nothing new can leak
        }
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
            // every tracked allocation makes its detector report what the GC found unreleased
            ByteBufAllocator.DEFAULT.directBuffer(8).release();
            ByteBufAllocator.DEFAULT.heapBuffer(8).release();
            PooledByteBufAllocator.DEFAULT.directBuffer(8).release();
            Unpooled.directBuffer(8).release();
            Unpooled.buffer(8).release();
        }
        checkedUpTo = TRACKED.get();
        List<String> leaks = new ArrayList<>();
        String s;
        while ((s = LEAKS.poll()) != null) {
            leaks.add(s);
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty resource leak(s) in " + context.getDisplayName() + ":\n"
                    + String.join("\n-----\n", leaks));
        }
    }

    /** Tests call this to find out whether the check is live (see {@link LeakCheckSelfTest}). */
    public static int pendingLeaks() {
        return LEAKS.size();
    }

    public static void clear() {
        LEAKS.clear();
    }

    private static final class Recording<T> extends ResourceLeakDetector<T> {
        @SuppressWarnings("deprecation")
        Recording(Class<?> resourceType, int samplingInterval) {
            super(resourceType, samplingInterval);
        }

        @Override
        protected Object getInitialHint(String resourceType) {
            TRACKED.incrementAndGet(); // called once per tracked allocation
            return super.getInitialHint(resourceType);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add("LEAK " + resourceType + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add("LEAK " + resourceType + " (untraced)");
            super.reportUntracedLeak(resourceType);
        }
    }
}
