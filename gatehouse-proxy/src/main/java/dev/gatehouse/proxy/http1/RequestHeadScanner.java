package dev.gatehouse.proxy.http1;

import io.netty.buffer.ByteBuf;

/**
 * Reads one HTTP/1.1 request head (request line and header section) ahead of Netty's decoder, in as many pieces as
 * it arrives, and stops at the first of two things Netty would otherwise accept leniently and re-serialise clean:
 * a request line that is not exactly {@code method SP target SP HTTP/x.y} (Netty splits on any run of whitespace)
 * and an obs-fold line (Netty unfolds it). A proxy that normalises what a backend or another hop could read
 * differently is a smuggling vector, so both are refused instead (RFC 9112 3 and 5.2 allow the 400).
 * <p>
 * The scan remembers where it stopped, so a head arriving byte by byte is still read once; header lines are
 * skipped with {@link ByteBuf#indexOf}, only the request line and the first byte of each line are inspected.
 * Anything else that is malformed is left to the decoder, which is strict about it.
 */
final class RequestHeadScanner {
    static final String BAD_REQUEST_LINE = "request line must be METHOD SP target SP version";
    static final String OBS_FOLD = "obs-fold in header section is not allowed";

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte HT = '\t';
    private static final byte[] VERSION_PREFIX = {'H', 'T', 'T', 'P', '/'};

    // states, in wire order
    private static final int LEADING_EMPTY_LINES = 0;
    private static final int METHOD = 1;
    private static final int TARGET_START = 2;
    private static final int TARGET = 3;
    private static final int VERSION = 4;
    private static final int REQUEST_LINE_CR = 5;
    private static final int LINE_START = 6;
    private static final int IN_LINE = 7;
    private static final int EMPTY_LINE_CR = 8;
    /** at or above: the scan of this head is over */
    private static final int COMPLETE = 9;
    private static final int REJECTED = 10;

    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private int state;
    /** bytes of the version matched so far */
    private int versionAt;
    private String violation;

    /** Starts over for the next request head. */
    void reset() {
        state = LEADING_EMPTY_LINES;
        versionAt = 0;
        violation = null;
    }

    /** @return true once the end of the header section was seen without a violation */
    boolean complete() {
        return state == COMPLETE;
    }

    /** @return why the head is refused, or null */
    String violation() {
        return violation;
    }

    /**
     * Continues the scan over {@code buf[from, to)}, the bytes that follow the last ones scanned.
     *
     * @return the index after the last byte looked at: {@code to}, or less once the head is complete or refused
     */
    int scan(ByteBuf buf, int from, int to) {
        int i = from;
        while (i < to && state < COMPLETE) {
            if (state == IN_LINE) {
                int lf = buf.indexOf(i, to, LF);
                if (lf < 0) {
                    return to;
                }
                i = lf + 1;
                state = LINE_START;
            } else {
                state = next(buf.getByte(i++));
            }
        }
        return i;
    }

    private int next(byte b) {
        switch (state) {
            case LEADING_EMPTY_LINES:
                // RFC 9112 2.2: empty lines before a request line are ignored; nothing else may precede it
                if (b == CR || b == LF) {
                    return LEADING_EMPTY_LINES;
                }
                return isTchar(b) ? METHOD : reject(BAD_REQUEST_LINE);
            case METHOD:
                if (b == SP) {
                    return TARGET_START;
                }
                return isTchar(b) ? METHOD : reject(BAD_REQUEST_LINE);
            case TARGET_START:
                // a second SP or an HT here is where Netty's whitespace split would diverge from a strict parser
                return isTargetByte(b) ? TARGET : reject(BAD_REQUEST_LINE);
            case TARGET:
                if (b == SP) {
                    versionAt = 0;
                    return VERSION;
                }
                return isTargetByte(b) ? TARGET : reject(BAD_REQUEST_LINE);
            case VERSION:
                return version(b);
            case REQUEST_LINE_CR:
                return b == LF ? LINE_START : reject(BAD_REQUEST_LINE);
            case LINE_START:
                if (b == LF) {
                    return COMPLETE;
                }
                if (b == CR) {
                    return EMPTY_LINE_CR;
                }
                return b == SP || b == HT ? reject(OBS_FOLD) : IN_LINE;
            case EMPTY_LINE_CR:
                // a bare CR is the decoder's to refuse
                return b == LF ? COMPLETE : IN_LINE;
            default:
                throw new IllegalStateException("state " + state);
        }
    }

    /** {@code HTTP/} DIGIT {@code .} DIGIT, then the line ends: no trailing whitespace, no extra token. */
    private int version(byte b) {
        int at = versionAt++;
        if (at < VERSION_PREFIX.length) {
            return b == VERSION_PREFIX[at] ? VERSION : reject(BAD_REQUEST_LINE);
        }
        switch (at) {
            case 5, 7:
                return b >= '0' && b <= '9' ? VERSION : reject(BAD_REQUEST_LINE);
            case 6:
                return b == '.' ? VERSION : reject(BAD_REQUEST_LINE);
            default:
                if (b == CR) {
                    return REQUEST_LINE_CR;
                }
                return b == LF ? LINE_START : reject(BAD_REQUEST_LINE);
        }
    }

    private int reject(String why) {
        violation = why;
        return REJECTED;
    }

    /** RFC 9110 5.6.2's tchar: what a method or a header name is made of. */
    static boolean isTchar(byte b) {
        return b > 0 && TCHAR[b];
    }

    /** Visible ASCII and obs-text; bytes that are valid but not allowed in a path are the normaliser's to refuse. */
    private static boolean isTargetByte(byte b) {
        return b < 0 || b > SP && b != 0x7f;
    }
}
