package dev.gatehouse.proxy.observe.accesslog;

import io.netty.util.AsciiString;

import java.io.IOException;
import java.util.Arrays;

/**
 * A growable byte buffer that JSON lines are formatted into, written out with one {@code write} per batch.
 * Bytes, not chars: the log is ASCII (everything else is escaped), so going through a {@code Writer} and
 * a charset encoder would only add a copy per line. Confined to one thread at a time.
 */
final class JsonLineBuffer {
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    /** "00" "01" .. "99" */
    private static final byte[] PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            PAIRS[2 * i] = (byte) ('0' + i / 10);
            PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    private byte[] buf;
    private int size;

    JsonLineBuffer(int initialCapacity) {
        buf = new byte[initialCapacity];
    }

    int size() {
        return size;
    }

    JsonLineBuffer raw(byte b) {
        ensure(1);
        buf[size++] = b;
        return this;
    }

    JsonLineBuffer raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
        return this;
    }

    JsonLineBuffer nullValue() {
        return raw(NULL);
    }

    /** A quoted JSON string or {@code null}. */
    JsonLineBuffer string(CharSequence s) {
        if (s == null) {
            return nullValue();
        }
        raw((byte) '"');
        if (s instanceof String str) {
            escaped(str);
        } else if (s instanceof AsciiString ascii) {
            escaped(ascii);
        } else {
            escapedFrom(s, 0);
        }
        return raw((byte) '"');
    }

    /** JSON string content of bytes held as ISO-8859-1 (generated ids): plain ASCII is copied in one go. */
    private void escaped(AsciiString s) {
        byte[] a = s.array();
        int off = s.arrayOffset();
        int n = s.length();
        int plain = 0;
        while (plain < n) {
            int b = a[off + plain] & 0xff;
            if (b < 0x20 || b >= 0x7f || b == '"' || b == '\\') {
                break;
            }
            plain++;
        }
        ensure(plain);
        System.arraycopy(a, off, buf, size, plain);
        size += plain;
        if (plain < n) {
            escapedFrom(s, plain);
        }
    }

    /**
     * JSON string content. Paths and hosts come from clients: quotes, backslashes, control characters and
     * everything past ASCII are escaped, so a line is always valid JSON and valid UTF-8 whatever was sent
     * (the proxy holds header bytes as ISO-8859-1 chars, so a \\u escape names the byte received).
     */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int) copies low bytes: right for ASCII
    JsonLineBuffer escaped(String s) {
        int n = s.length();
        int plain = 0;
        while (plain < n) { // a scan without stores, then one bulk copy of the plain ASCII prefix (usually all)
            char c = s.charAt(plain);
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                break;
            }
            plain++;
        }
        ensure(plain);
        s.getBytes(0, plain, buf, size);
        size += plain;
        return plain == n ? this : escapedFrom(s, plain);
    }

    private JsonLineBuffer escapedFrom(CharSequence s, int from) {
        int n = s.length();
        for (int i = from; i < n; i++) {
            char c = s.charAt(i);
            ensure(6 + n - i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                buf[size++] = (byte) c;
                continue;
            }
            switch (c) {
                case '"' -> twoChar('"');
                case '\\' -> twoChar('\\');
                case '\n' -> twoChar('n');
                case '\r' -> twoChar('r');
                case '\t' -> twoChar('t');
                default -> {
                    buf[size++] = '\\';
                    buf[size++] = 'u';
                    buf[size++] = HEX[(c >> 12) & 0xf];
                    buf[size++] = HEX[(c >> 8) & 0xf];
                    buf[size++] = HEX[(c >> 4) & 0xf];
                    buf[size++] = HEX[c & 0xf];
                }
            }
        }
        return this;
    }

    private void twoChar(char c) {
        buf[size++] = '\\';
        buf[size++] = (byte) c;
    }

    /** A decimal, without going through a String: two digits per division. */
    JsonLineBuffer number(long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                return raw(Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            raw((byte) '-');
            v = -v;
        }
        if (v < 10) {
            return raw((byte) ('0' + v));
        }
        int digits = digits(v);
        ensure(digits);
        int pos = size + digits;
        while (v >= 100) {
            int r = (int) (v % 100);
            v /= 100;
            buf[--pos] = PAIRS[2 * r + 1];
            buf[--pos] = PAIRS[2 * r];
        }
        if (v >= 10) {
            buf[--pos] = PAIRS[2 * (int) v + 1];
            buf[--pos] = PAIRS[2 * (int) v];
        } else {
            buf[--pos] = (byte) ('0' + v);
        }
        size += digits;
        return this;
    }

    private static int digits(long v) {
        long bound = 10;
        for (int d = 1; d < 19; d++) {
            if (v < bound) {
                return d;
            }
            bound *= 10;
        }
        return 19;
    }

    /** {@code value} zero-padded to {@code width} digits (value must fit). */
    JsonLineBuffer padded(long value, int width) {
        ensure(width);
        for (int i = size + width - 1; i >= size; i--) {
            buf[i] = (byte) ('0' + (value % 10));
            value /= 10;
        }
        size += width;
        return this;
    }

    void clear() {
        size = 0;
    }

    /** Writes what is buffered and empties the buffer, also when the write fails (those lines are lost). */
    void writeTo(LogSink out) throws IOException {
        try {
            out.write(buf, 0, size);
        } finally {
            size = 0;
        }
    }

    /** What is buffered, as a copy (for values prepared once and reused). */
    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    @Override
    public String toString() {
        return new String(buf, 0, size, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }
}
