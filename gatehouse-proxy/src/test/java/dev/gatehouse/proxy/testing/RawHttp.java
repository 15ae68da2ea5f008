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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Writes raw bytes to a loopback port and reads what comes back until EOF or a quiet period. */
public final class RawHttp {
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] (\\d{3})");

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
     * @param quietMillis stop reading after this long without a byte (the connection may be kept alive)
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

    public static Reply read(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        boolean closed = false;
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                if (out.size() > 1 << 20) {
                    break;
                }
            }
            closed = true;
        } catch (SocketTimeoutException e) {
            // quiet: the server keeps the connection open
        } catch (IOException e) {
            closed = true; // reset
        }
        return new Reply(out.toString(StandardCharsets.ISO_8859_1), closed);
    }
}
