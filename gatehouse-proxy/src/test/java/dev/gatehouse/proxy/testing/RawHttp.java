package dev.gatehouse.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes raw bytes to a loopback port and reads what comes back until EOF, or a quiet period once an answer (a
 * status line other than 100 Continue) has begun: before that, silence may be a busy machine, so the read goes on
 * for up to {@link #ANSWER_PATIENCE_MILLIS}.
 */
public final class RawHttp {
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] (\\d{3})");
    static final long ANSWER_PATIENCE_MILLIS = 10_000;

    private RawHttp() {
    }

    /** What came back: the bytes, and whether the server closed the connection. */
    public record Reply(String text, boolean closed) {
        /** @return the first final status code, or -1 when nothing came back (100 Continue skipped) */
        public int status() {
            for (int s : statuses()) {
                if (s >= 200) {
                    return s;
                }
            }
            return -1;
        }

        public List<Integer> statuses() {
            List<Integer> out = new ArrayList<>();
            Matcher m = STATUS.matcher(text);
            while (m.find()) {
                if (m.start() == 0 || text.startsWith("\r\n", m.start() - 2) || text.charAt(m.start() - 1) == '\n') {
                    out.add(Integer.parseInt(m.group(1)));
                }
            }
            return out;
        }
    }

    /**
     * @param quietMillis once an answer has begun, stop reading after this long without a byte (the connection may
     *                    be kept alive)
     */
    public static Reply send(int port, byte[] request, long quietMillis) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout((int) quietMillis);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            return read(s.getInputStream());
        }
    }

    public static Reply send(int port, String request, long quietMillis) throws IOException {
        return send(port, request.getBytes(StandardCharsets.ISO_8859_1), quietMillis);
    }

    /** Reads until EOF, or the socket's read timeout passes in silence once an answer has begun (see the class). */
    public static Reply read(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        boolean closed = false;
        long patience = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ANSWER_PATIENCE_MILLIS);
        while (true) {
            try {
                int n = in.read(buf);
                if (n < 0) {
                    closed = true;
                    break;
                }
                out.write(buf, 0, n);
                if (out.size() > 1 << 20) {
                    break;
                }
            } catch (SocketTimeoutException e) {
                // quiet: the server keeps the connection open, or has not answered yet
                boolean answered = new Reply(out.toString(StandardCharsets.ISO_8859_1), false).statuses().stream()
                        .anyMatch(status -> status != 100);
                if (answered || System.nanoTime() - patience > 0) {
                    break;
                }
            } catch (IOException e) {
                closed = true; // reset
                break;
            }
        }
        return new Reply(out.toString(StandardCharsets.ISO_8859_1), closed);
    }
}
