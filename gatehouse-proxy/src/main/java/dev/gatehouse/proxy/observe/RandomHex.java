package dev.gatehouse.proxy.observe;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Random lower-case hex ids from {@link ThreadLocalRandom}: request ids, trace ids, span ids. They need
 * uniqueness, not unpredictability, and {@code UUID.randomUUID} would take SecureRandom's lock on an event loop.
 */
final class RandomHex {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RandomHex() {
    }

    /** {@code 16 * longs} hex digits, never all zero (W3C trace context forbids all-zero ids). */
    static String of(int longs) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] out = new char[16 * longs];
        boolean zero = true;
        for (int i = 0; i < longs; i++) {
            long v = r.nextLong();
            zero &= v == 0;
            if (zero && i == longs - 1) {
                v = 1;
            }
            for (int d = 15; d >= 0; d--) {
                out[16 * i + d] = HEX[(int) (v & 0xf)];
                v >>>= 4;
            }
        }
        return new String(out);
    }
}
