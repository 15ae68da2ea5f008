package dev.gatehouse.proxy.observe;

import io.netty.util.AsciiString;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Random lower-case hex ids from {@link ThreadLocalRandom}: request ids, trace ids, span ids. They need
 * uniqueness, not unpredictability, and {@code UUID.randomUUID} would take SecureRandom's lock on an event loop.
 * Ids are ASCII bytes ({@link AsciiString}): they go into header values and log lines, which are bytes, so a
 * {@code String} would only be built to be copied back to bytes.
 */
final class RandomHex {
    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

    private RandomHex() {
    }

    /** {@code 16 * longs} hex digits, never all zero (W3C trace context forbids all-zero ids). */
    static AsciiString of(int longs) {
        byte[] out = new byte[16 * longs];
        fill(out, 0, longs);
        return new AsciiString(out, false);
    }

    /** Writes {@code 16 * longs} random hex digits, never all zero, into {@code dst} at {@code offset}. */
    static void fill(byte[] dst, int offset, int longs) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        boolean zero = true;
        for (int i = 0; i < longs; i++) {
            long v = r.nextLong();
            zero &= v == 0;
            if (zero && i == longs - 1) {
                v = 1;
            }
            int at = offset + 16 * i;
            for (int d = 15; d >= 0; d--) {
                dst[at + d] = HEX[(int) (v & 0xf)];
                v >>>= 4;
            }
        }
    }
}
