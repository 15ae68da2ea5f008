package dev.gatehouse.jmh;

/**
 * What passes through the caches between two requests of one route in the gateway (the other routes' state, the
 * kernel's TCP path, Netty's pipeline), so that a benchmark cycling over many routes does not measure them hot
 * in cache as a tight loop would: each call reads the next {@code STEP} bytes of a 4 MiB ring, one load per
 * cache line; 1,000 calls pass 32 MB through. Benchmarks that use it report {@link #sweep} alone too, to subtract.
 */
final class CacheSweep {
    private static final int RING = 4 << 20;
    private static final int STEP = 32 << 10;
    private static final int LINE = 64;
    private final byte[] ring = new byte[RING];
    private int at;
    /** Stored, so that the JIT cannot drop the loads when a caller ignores the sum. */
    private int last;

    CacheSweep() {
        for (int i = 0; i < RING; i += LINE) {
            ring[i] = (byte) i;
        }
    }

    int sweep() {
        int sum = 0;
        int end = at + STEP;
        for (int i = at; i < end; i += LINE) {
            sum += ring[i];
        }
        at = end == RING ? 0 : end;
        last = sum;
        return sum;
    }
}
