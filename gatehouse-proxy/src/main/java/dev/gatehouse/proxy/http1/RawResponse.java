package dev.gatehouse.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ByteProcessor;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A whole upstream HTTP/1.1 response (head and Content-Length body) kept as the bytes it arrived in, with the
 * offsets of the few header lines a proxy rewrites: what {@link UpstreamHttp1Codec} emits instead of a decoded
 * head and body when the exchange asked for it and the response is in the plain shape below. The client's
 * response is then these bytes minus the hop-by-hop lines plus the gateway's own lines ({@link #encode}), not
 * a header map built, edited and written out again (docs/performance.md, session 12).
 * <p>
 * The shape is deliberately narrow, so that the bytes written are exactly the ones Netty's decoder and encoder
 * would have produced: status line {@code HTTP/1.1 DDD reason} (2xx-5xx, not 204 or 304); every header line
 * {@code token ": " value} with no other whitespace around the value and no control byte but HTAB in it; one
 * Content-Length of digits; no Transfer-Encoding; a Connection of only {@code close} or {@code keep-alive}; head
 * and body already read. Anything else returns null from {@link #parse} and takes Netty's strict decoder, whose
 * checks (and 502 on a malformed answer) are unchanged.
 */
public final class RawResponse extends DefaultByteBufHolder {
    /** larger heads take the generic path (the decoder's own limits are 8 KiB line, 64 KiB headers) */
    static final int MAX_HEAD = 8 * 1024;
    /** larger bodies take the generic path, which streams them instead of copying them into the head's buffer */
    static final int MAX_BODY = 8 * 1024;

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte HT = '\t';
    private static final byte[] VERSION = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COLON_SP = {':', SP};
    private static final byte[] CRLF = {CR, LF};
    private static final int MAX_SPECIAL_LINES = 8;
    /**
     * room for the special lines first: a typical answer has one or two (nginx's {@code Connection: keep-alive});
     * more grow the array to {@link #MAX_SPECIAL_LINES}
     */
    private static final int FIRST_SPECIAL_LINES = 2;

    /** kinds of the lines recorded in {@code special} */
    private static final int HOP_BY_HOP = 0;
    private static final int REQUEST_ID = 1;

    private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");

    private final int status;
    /** index after the head's last header line (before the empty line) */
    private final int headersEnd;
    /** index of the body */
    private final int bodyStart;
    private final boolean keepAlive;
    /** the hop-by-hop and x-request-id lines in wire order, each as {@link #line}: its start, end and kind */
    private final int[] special;
    private final int specialCount;

    private RawResponse(ByteBuf bytes, int status, int headersEnd, int bodyStart, boolean keepAlive, int[] special,
                        int specialCount) {
        super(bytes);
        this.status = status;
        this.headersEnd = headersEnd;
        this.bodyStart = bodyStart;
        this.keepAlive = keepAlive;
        this.special = special;
        this.specialCount = specialCount;
    }

    public int status() {
        return status;
    }

    /** Whether the upstream connection may carry another request (no {@code Connection: close}). */
    public boolean keepAlive() {
        return keepAlive;
    }

    public int bodyLength() {
        return content().readableBytes() - bodyStart;
    }

    /**
     * The response as an HTTP/1.1 client gets it: the upstream's status line and header lines in their order
     * without the hop-by-hop ones, then {@code connection: close} when {@code close}, {@code x-request-id} when
     * {@code requestId} is set (replacing the upstream's, as {@code set} on the header map does), and the body:
     * one buffer, so one write.
     */
    public ByteBuf encode(ByteBufAllocator alloc, CharSequence requestId, boolean close) {
        ByteBuf in = content();
        int base = in.readerIndex();
        int size = headersEnd + 2 + bodyLength();
        for (int i = 0; i < specialCount; i++) {
            int line = special[i];
            if (dropped(line, requestId)) {
                size -= lineEnd(line) - lineStart(line);
            }
        }
        if (requestId != null) {
            size += X_REQUEST_ID.length() + 4 + requestId.length();
        }
        if (close) {
            size += HttpHeaderNames.CONNECTION.length() + 4 + HttpHeaderValues.CLOSE.length();
        }
        ByteBuf out = alloc.buffer(size);
        int from = 0;
        for (int i = 0; i < specialCount; i++) {
            int line = special[i];
            if (dropped(line, requestId)) {
                out.writeBytes(in, base + from, lineStart(line) - from);
                from = lineEnd(line);
            }
        }
        out.writeBytes(in, base + from, headersEnd - from);
        // the decoded path's order: framing (MessageHeaders) before the request id (ProxyExchange)
        if (close) {
            writeLine(out, HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        if (requestId != null) {
            writeLine(out, X_REQUEST_ID, requestId);
        }
        out.writeBytes(CRLF);
        out.writeBytes(in, base + bodyStart, bodyLength());
        return out;
    }

    private static boolean dropped(int line, CharSequence requestId) {
        return (line & 1) == HOP_BY_HOP || requestId != null;
    }

    /**
     * A special line in one int (its offsets are at most {@link #MAX_HEAD}: 14 bits each), so that a response's
     * lines take one small array: the start at bit 16, the end (after its CRLF) at bit 1, the kind at bit 0.
     */
    private static int line(int start, int end, int kind) {
        return start << 16 | end << 1 | kind;
    }

    private static int lineStart(int line) {
        return line >>> 16;
    }

    private static int lineEnd(int line) {
        return (line >>> 1) & 0x7fff;
    }

    private static void writeLine(ByteBuf out, AsciiString name, CharSequence value) {
        ByteBufUtil.copy(name, out);
        out.writeBytes(COLON_SP);
        ByteBufUtil.writeAscii(out, value);
        out.writeBytes(CRLF);
    }

    /**
     * The same response as Netty's decoder would have emitted it (head, then its end with the body), for an
     * exchange that turns out to need the header map after all. Releases this message's bytes.
     */
    public HttpObjectPair toHttpObjects() {
        ByteBuf in = content();
        int base = in.readerIndex();
        int lineEnd = in.indexOf(base, base + headersEnd, CR);
        String reason = in.toString(base + 13, lineEnd - base - 13, StandardCharsets.ISO_8859_1);
        HttpHeaders headers = DefaultHttpHeadersFactory.headersFactory().newHeaders();
        int p = lineEnd + 2;
        while (p < base + headersEnd) {
            int colon = in.indexOf(p, base + headersEnd, (byte) ':');
            int cr = in.indexOf(colon, base + headersEnd, CR);
            headers.add(new AsciiString(ByteBufUtil.getBytes(in, p, colon - p), false),
                    in.toString(colon + 2, cr - colon - 2, StandardCharsets.ISO_8859_1));
            p = cr + 2;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status, reason),
                headers);
        LastHttpContent last = new DefaultLastHttpContent(in.retainedSlice(base + bodyStart, bodyLength()));
        release();
        return new HttpObjectPair(head, last);
    }

    /** A decoded head and its end. */
    public record HttpObjectPair(HttpResponse head, LastHttpContent last) {
    }

    /**
     * @return the response at {@code in}'s reader index when it is whole and in the plain shape (the caller
     * skips {@link #content()}'s length), or null: not that shape, or not all read yet (nothing is consumed)
     */
    static RawResponse parse(ByteBuf in) {
        int base = in.readerIndex();
        int end = Math.min(in.writerIndex(), base + MAX_HEAD + MAX_BODY);
        if (end - base < 20) {
            return null;
        }
        for (int i = 0; i < VERSION.length; i++) {
            if (in.getByte(base + i) != VERSION[i]) {
                return null;
            }
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            byte d = in.getByte(base + i);
            if (d < '0' || d > '9') {
                return null;
            }
            status = status * 10 + d - '0';
        }
        if (status < 200 || status > 599 || status == 204 || status == 304 || in.getByte(base + 12) != SP) {
            return null;
        }
        int headLimit = Math.min(end, base + MAX_HEAD);
        // reason phrase: not empty, no whitespace at either end (the decoder would trim it)
        int p = base + 13;
        int lineEnd = valueEnd(in, p, headLimit);
        if (lineEnd <= p) {
            return null;
        }
        p = lineEnd + 2;
        int[] special = null;
        int specialCount = 0;
        long contentLength = -1;
        boolean keepAlive = true;
        boolean connectionSeen = false;
        boolean requestIdSeen = false;
        while (true) {
            if (p + 1 >= headLimit) {
                return null;
            }
            if (in.getByte(p) == CR) {
                if (in.getByte(p + 1) != LF) {
                    return null;
                }
                break;
            }
            int nameStart = p;
            p = in.forEachByte(p, headLimit - p, NOT_TCHAR);
            if (p < 0) {
                return null;
            }
            int nameLen = p - nameStart;
            if (nameLen == 0 || p + 1 >= headLimit || in.getByte(p) != ':' || in.getByte(p + 1) != SP) {
                return null;
            }
            int valueStart = p + 2;
            int valueEnd = valueEnd(in, valueStart, headLimit);
            if (valueEnd < 0) {
                return null;
            }
            int kind = -1;
            if (is(in, nameStart, nameLen, HttpHeaderNames.CONTENT_LENGTH)) {
                if (contentLength >= 0 || (contentLength = digits(in, valueStart, valueEnd)) < 0) {
                    return null;
                }
            } else if (is(in, nameStart, nameLen, HttpHeaderNames.TRANSFER_ENCODING)) {
                return null;
            } else if (is(in, nameStart, nameLen, HttpHeaderNames.CONNECTION)) {
                int valueLen = valueEnd - valueStart;
                if (connectionSeen) {
                    return null;
                }
                connectionSeen = true;
                if (is(in, valueStart, valueLen, HttpHeaderValues.CLOSE)) {
                    keepAlive = false;
                } else if (!is(in, valueStart, valueLen, HttpHeaderValues.KEEP_ALIVE)) {
                    return null; // other tokens nominate headers to remove: the generic path does that
                }
                kind = HOP_BY_HOP;
            } else if (is(in, nameStart, nameLen, X_REQUEST_ID)) {
                if (requestIdSeen) {
                    return null;
                }
                requestIdSeen = true;
                kind = REQUEST_ID;
            } else if (isHopByHop(in, nameStart, nameLen)) {
                kind = HOP_BY_HOP;
            }
            p = valueEnd + 2;
            if (kind >= 0) {
                if (special == null) {
                    special = new int[FIRST_SPECIAL_LINES];
                } else if (specialCount == special.length) {
                    if (specialCount == MAX_SPECIAL_LINES) {
                        return null;
                    }
                    special = Arrays.copyOf(special, MAX_SPECIAL_LINES);
                }
                special[specialCount++] = line(nameStart - base, p - base, kind);
            }
        }
        int headersEnd = p - base;
        int bodyStart = headersEnd + 2;
        if (contentLength < 0 || contentLength > MAX_BODY || base + bodyStart + contentLength > in.writerIndex()) {
            return null;
        }
        ByteBuf bytes = in.retainedSlice(base, bodyStart + (int) contentLength);
        return new RawResponse(bytes, status, headersEnd, bodyStart, keepAlive, special, specialCount);
    }

    /**
     * @return the index of the CR that ends the value starting at {@code p} (followed by LF), or -1 when the line
     * is not a plain one: control bytes other than HTAB, whitespace at either end, no CRLF before {@code limit}
     */
    private static int valueEnd(ByteBuf in, int p, int limit) {
        int cr = p < limit ? in.forEachByte(p, limit - p, NOT_FIELD_VALUE) : -1;
        if (cr < 0 || in.getByte(cr) != CR || cr + 1 >= limit || in.getByte(cr + 1) != LF) {
            return -1;
        }
        if (cr > p && (isSpace(in.getByte(p)) || isSpace(in.getByte(cr - 1)))) {
            return -1;
        }
        return cr;
    }

    /** Stops at the first byte a plain field value may not hold: a control byte but HTAB (the line's CR included). */
    private static final ByteProcessor NOT_FIELD_VALUE = b -> b < 0 || b >= SP && b != 0x7f || b == HT;
    /** Stops at the first byte that is not a token character. */
    private static final ByteProcessor NOT_TCHAR = RequestHeadScanner::isTchar;

    private static long digits(ByteBuf in, int from, int to) {
        if (to <= from || to - from > 9) {
            return -1;
        }
        long n = 0;
        for (int i = from; i < to; i++) {
            byte d = in.getByte(i);
            if (d < '0' || d > '9') {
                return -1;
            }
            n = n * 10 + d - '0';
        }
        return n;
    }

    private static boolean isHopByHop(ByteBuf in, int at, int len) {
        for (int i = 0; i < HopByHopNames.ALL.size(); i++) {
            if (is(in, at, len, HopByHopNames.ALL.get(i))) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code in[at, at + len)} is {@code name} (lower case), ignoring case. */
    private static boolean is(ByteBuf in, int at, int len, AsciiString name) {
        if (len != name.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            byte b = in.getByte(at + i);
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != name.byteAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(byte b) {
        return b == SP || b == HT;
    }
}
