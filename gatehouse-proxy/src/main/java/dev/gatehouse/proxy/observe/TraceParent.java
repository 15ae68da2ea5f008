package dev.gatehouse.proxy.observe;

import io.netty.util.AsciiString;

/**
 * W3C Trace Context {@code traceparent} (version 00) checks, strict as the spec asks: a header that fails
 * any of them is ignored and a new trace starts. No regex, no allocation unless asked for a part.
 */
public final class TraceParent {
    /** "00-" + 32 + "-" + 16 + "-" + 2 */
    private static final int LENGTH = 55;

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

    /**
     * The traceparent passed on for a request that is not sampled (flags 00), as ASCII bytes: the trace of
     * {@code validIncoming} when given (it must be {@link #isValid valid}), else a new random trace, and a new
     * random span id. Its trace id is {@link #traceIdOf}.
     */
    public static AsciiString unsampled(String validIncoming) {
        byte[] b = new byte[LENGTH];
        b[0] = '0';
        b[1] = '0';
        b[2] = '-';
        if (validIncoming == null) {
            RandomHex.fill(b, 3, 2);
        } else {
            for (int i = 3; i < 35; i++) {
                b[i] = (byte) validIncoming.charAt(i);
            }
        }
        b[35] = '-';
        RandomHex.fill(b, 36, 1);
        b[52] = '-';
        b[53] = '0';
        b[54] = '0';
        return new AsciiString(b, false);
    }

    /** The trace id of a traceparent made by {@link #unsampled}, sharing its bytes. */
    public static AsciiString traceIdOf(AsciiString traceParent) {
        return traceParent.subSequence(3, 35, false);
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
