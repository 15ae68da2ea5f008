package dev.gatehouse.proxy.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP/2 client that writes frames byte by byte over a blocking socket, so a test can send what no
 * well-behaved library would (RST floods, zero-length CONTINUATION, uppercase names, lying content-length,
 * raw HPACK). Header blocks are literal-without-indexing HPACK, written here, so any name or value goes
 * on the wire as given. A reader thread records what the server answers: GOAWAY and its error code,
 * RST_STREAMs by code, response statuses, and the end of the connection.
 */
public final class RawH2Client implements AutoCloseable {
    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    public static final int WINDOW_UPDATE = 0x8;
    public static final int CONTINUATION = 0x9;
    public static final int END_STREAM = 0x1;
    public static final int END_HEADERS = 0x4;

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Socket socket;
    private final OutputStream out;
    private final Thread reader;
    /** GOAWAY error code, -1 until one arrives */
    public final AtomicLong goAwayError = new AtomicLong(-1);
    public final AtomicInteger resets = new AtomicInteger();
    /** RST_STREAM frames read before the first GOAWAY, by error code: what a server spent while it still served */
    public final Map<Long, AtomicInteger> resetsBeforeGoAway = new ConcurrentHashMap<>();
    public final Map<Long, AtomicInteger> resetsByCode = new ConcurrentHashMap<>();
    /** stream id -> error code of the RST_STREAM the server sent for it */
    public final Map<Integer, Long> resetStreams = new ConcurrentHashMap<>();
    /** stream id -> :status of its response */
    public final Map<Integer, String> statuses = new ConcurrentHashMap<>();
    public final AtomicInteger pingAcks = new AtomicInteger();
    /** Every frame the server sent on a stream (not 0), in order: "stream type flags". */
    public final java.util.List<String> streamFrames = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The HPACK block of each stream's (last) HEADERS frame, as sent (no padding or priority: the server sends neither). */
    public final Map<Integer, byte[]> headerBlocks = new ConcurrentHashMap<>();
    /** The headers decoded from each stream's (last) HEADERS frame. */
    public final Map<Integer, Http2Headers> headers = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);

    public RawH2Client(InetSocketAddress address) throws IOException {
        this(connect(address));
    }

    private RawH2Client(Socket connected) throws IOException {
        socket = connected;
        out = socket.getOutputStream();
        out.write(PREFACE);
        frame(SETTINGS, 0, 0, new byte[0]);
        reader = new Thread(this::readLoop, "raw-h2-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private static Socket connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        s.connect(address, 5000);
        s.setTcpNoDelay(true);
        return s;
    }

    /**
     * h2c via {@code Upgrade: h2c}: sends {@code GET path} as HTTP/1.1 with an upgrade, reads the 101 and
     * then speaks h2; the answer to that request arrives on stream 1.
     */
    public static RawH2Client upgrade(InetSocketAddress address, String path) throws IOException {
        Socket s = connect(address);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: h2.test\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABk\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        s.setSoTimeout(5000);
        java.io.InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed before the 101: " + head);
            }
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            s.close();
            throw new IOException("upgrade refused: " + head);
        }
        s.setSoTimeout(0);
        return new RawH2Client(s);
    }

    /** Writes one frame; an IOException (the server closed) is returned as false rather than thrown. */
    public synchronized boolean frame(int type, int flags, int stream, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) (stream >>> 24 & 0x7f);
        f[6] = (byte) (stream >>> 16);
        f[7] = (byte) (stream >>> 8);
        f[8] = (byte) stream;
        System.arraycopy(payload, 0, f, 9, payload.length);
        try {
            out.write(f);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public synchronized boolean flush() {
        try {
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** HPACK block of literal fields without indexing (new name), names and values exactly as given. */
    public static byte[] block(String... namesAndValues) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.write(0x00);
            string(b, namesAndValues[i]);
            string(b, namesAndValues[i + 1]);
        }
        return b.toByteArray();
    }

    /** A GET (or any method) request head for {@code path} on host "h2.test". */
    public static byte[] request(String method, String path, String... extra) {
        String[] base = {":method", method, ":scheme", "http", ":authority", "h2.test", ":path", path};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return block(all);
    }

    static void string(java.io.ByteArrayOutputStream b, String s) {
        byte[] v = s.getBytes(StandardCharsets.ISO_8859_1);
        integer(b, v.length, 7, 0);
        b.write(v, 0, v.length);
    }

    /** HPACK integer with an n-bit prefix (RFC 7541 5.1). */
    public static void integer(java.io.ByteArrayOutputStream b, int value, int prefixBits, int firstByteFlags) {
        int max = (1 << prefixBits) - 1;
        if (value < max) {
            b.write(firstByteFlags | value);
            return;
        }
        b.write(firstByteFlags | max);
        value -= max;
        while (value >= 128) {
            b.write(value % 128 + 128);
            value /= 128;
        }
        b.write(value);
    }

    public static byte[] int32(long v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    public boolean headers(int stream, byte[] block, boolean endStream) {
        return frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, block);
    }

    public boolean rst(int stream, long code) {
        return frame(RST_STREAM, 0, stream, int32(code));
    }

    /** Waits for the server to end the connection. */
    public boolean awaitClose(long millis) throws InterruptedException {
        return closed.await(millis, TimeUnit.MILLISECONDS);
    }

    public boolean isClosed() {
        return closed.getCount() == 0;
    }

    public long resets(long code) {
        AtomicInteger n = resetsByCode.get(code);
        return n == null ? 0 : n.get();
    }

    private void readLoop() {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                int len = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = new byte[len];
                in.readFully(payload);
                if (stream != 0) {
                    streamFrames.add(stream + " " + type + " " + flags);
                }
                switch (type) {
                    case GOAWAY -> goAwayError.compareAndSet(-1, ((long) readInt(payload, 4)) & 0xffffffffL);
                    case RST_STREAM -> {
                        long code = ((long) readInt(payload, 0)) & 0xffffffffL;
                        resetStreams.put(stream, code);
                        resets.incrementAndGet();
                        if (goAwayError.get() == -1) {
                            resetsBeforeGoAway.computeIfAbsent(code, k -> new AtomicInteger()).incrementAndGet();
                        }
                        resetsByCode.computeIfAbsent(code, k -> new AtomicInteger()).incrementAndGet();
                    }
                    case PING -> {
                        if ((flags & 0x1) != 0) {
                            pingAcks.incrementAndGet();
                        }
                    }
                    case HEADERS -> {
                        if ((flags & END_HEADERS) != 0) {
                            headerBlocks.put(stream, payload);
                            decodeStatus(stream, flags, payload);
                        }
                    }
                    default -> {
                        // DATA, SETTINGS, WINDOW_UPDATE: nothing to record
                    }
                }
            }
        } catch (EOFException e) {
            // server closed
        } catch (IOException e) {
            // reset or closed by us
        } finally {
            closed.countDown();
        }
    }

    private void decodeStatus(int stream, int flags, byte[] payload) {
        int offset = 0;
        int length = payload.length;
        if ((flags & 0x8) != 0) { // PADDED
            int pad = payload[0] & 0xff;
            offset = 1;
            length -= 1 + pad;
        }
        if ((flags & 0x20) != 0) { // PRIORITY
            offset += 5;
            length -= 5;
        }
        ByteBuf buf = Unpooled.wrappedBuffer(payload, offset, length);
        try {
            Http2Headers h = decoder.decodeHeaders(stream, buf);
            headers.put(stream, h);
            CharSequence status = h.status();
            if (status != null) {
                statuses.put(stream, status.toString());
            }
        } catch (Http2Exception e) {
            statuses.put(stream, "undecodable");
        } finally {
            buf.release();
        }
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | b[at + 3] & 0xff;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
