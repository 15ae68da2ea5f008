package dev.gatehouse.proxy.observe;

import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C Trace Context {@code traceparent} (version 00) checks, strict as the spec asks: a header that fails
 * any of them is ignored and a new trace starts. No regex, no allocation unless asked for a part.
 */
public final class TraceParent {
    /** "00-" + 32 + "-" + 16 + "-" + 2 */
    private static final int LENGTH = 55;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private TraceParent() {
    }

    /** Whether {@code value} is a well-formed version-00 traceparent with non-zero ids. */
    public static boolean isValid(String value) {
        if (value == null || value.length() != LENGTH) {
            return false;
        }
        if (value.charAt(0) != '0' || value.charAt(1) != '0' || value.charAt(2) != '-' || value.charAt(35) != '-'
                || value.charAt(52) != '-') {
            return false;
        }
        return lowerHex(value, 3, 35) && lowerHex(value, 36, 52) && lowerHex(value, 53, 55)
                && !allZero(value, 3, 35) && !allZero(value, 36, 52);
    }

    /** The trace id of a valid traceparent, else {@code null}. */
    public static String traceId(String value) {
        return isValid(value) ? value.substring(3, 35) : null;
    }

    /** The parent span id of a valid traceparent, else {@code null}. */
    public static String spanId(String value) {
        return isValid(value) ? value.substring(36, 52) : null;
    }

    /** Whether a valid traceparent has the sampled flag. */
    public static boolean sampled(String value) {
        return isValid(value) && (Character.digit(value.charAt(54), 16) & 1) == 1;
    }

    /** A random, non-zero 32-hex-digit trace id. */
    public static String randomTraceId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = r.nextLong();
        long lo = r.nextLong();
        if (hi == 0 && lo == 0) {
            lo = 1;
        }
        char[] out = new char[32];
        hex(hi, out, 0);
        hex(lo, out, 16);
        return new String(out);
    }

    /** A random, non-zero 16-hex-digit span id. */
    public static String randomSpanId() {
        long v = ThreadLocalRandom.current().nextLong();
        char[] out = new char[16];
        hex(v == 0 ? 1 : v, out, 0);
        return new String(out);
    }

    private static void hex(long v, char[] out, int at) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
    }

    public static String format(String traceId, String spanId, boolean sampled) {
        return "00-" + traceId + '-' + spanId + (sampled ? "-01" : "-00");
    }

    private static boolean lowerHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean allZero(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }
}
