package dev.gatehouse.proxy.observe;

import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code X-Request-ID} values: 128 random bits as 32 lower-case hex digits from {@link ThreadLocalRandom}
 * (an id needs uniqueness, not unpredictability, and {@code UUID.randomUUID} would take SecureRandom's lock
 * on an event loop). A client's id is kept only when trusted and harmless: 1..128 visible ASCII characters.
 */
public final class RequestIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    static final int MAX_LENGTH = 128;

    private RequestIds() {
    }

    public static String generate() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] out = new char[32];
        write(r.nextLong(), out, 0);
        write(r.nextLong(), out, 16);
        return new String(out);
    }

    /** Whether a client-supplied id may be kept: 1..128 characters of visible ASCII. */
    public static boolean acceptable(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static void write(long v, char[] out, int at) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
    }
}
