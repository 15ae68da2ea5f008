package dev.gatehouse.proxy.observe;

import io.netty.util.AsciiString;

/**
 * {@code X-Request-ID} values: 128 random bits as 32 lower-case hex digits ({@link RandomHex}). A client's id
 * is kept only when trusted and harmless: 1..128 visible ASCII characters.
 */
public final class RequestIds {
    static final int MAX_LENGTH = 128;

    private RequestIds() {
    }

    public static AsciiString generate() {
        return RandomHex.of(2);
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
}
