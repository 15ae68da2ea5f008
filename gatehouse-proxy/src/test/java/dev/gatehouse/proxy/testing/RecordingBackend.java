package dev.gatehouse.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A raw-socket HTTP/1.1 backend that records every request it receives and flags anything a correct proxy
 * would never send: a malformed request line or header, obs-fold, a bare CR or LF, control characters,
 * missing or repeated Host, ambiguous framing (two Content-Lengths, CL with Transfer-Encoding, a TE other than
 * one {@code chunked}), chunk extensions or a malformed chunk, {@code Upgrade: h2c}, {@code X-Original-URL},
 * a path that is not normal. Parsing is deliberately strict and independent of Netty, so it judges the gateway's
 * output rather than agreeing with it. Each connection is read on its own daemon thread; keep-alive is honoured,
 * so a second request on a pooled connection is recorded as such (and stray bytes after a response show up as a
 * flagged request).
 *
 * <p>It misbehaves on demand, by path: {@code /bad/two-cl}, {@code /bad/cl-te}, {@code /bad/reset-headers},
 * {@code /bad/short-body}, {@code /bad/refuse-upgrade} (answers 200 to an upgrade, then keeps talking HTTP),
 * {@code /bad/close-when-reused...} (recorded, then the connection is closed unanswered unless it is the
 * connection's first request);
 * {@code /ws...} with {@code Upgrade: websocket} gets a 101 and then a raw byte echo.
 */
public final class RecordingBackend implements AutoCloseable {
    /** One request as received. */
    public record Received(int connection, int indexOnConnection, String method, String target,
                           List<String[]> headers, byte[] body, List<String> irregularities) {
        public boolean regular() {
            return irregularities.isEmpty();
        }

        public String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        public List<String> headers(String name) {
            List<String> out = new ArrayList<>();
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    out.add(h[1]);
                }
            }
            return out;
        }

        public String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }

        @Override
        public String toString() {
            return "#" + connection + "." + indexOnConnection + " " + method + " " + target
                    + (irregularities.isEmpty() ? "" : " IRREGULAR " + irregularities);
        }
    }

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
    private static final Pattern TARGET = Pattern.compile("/[A-Za-z0-9\\-._~!$&'()*+,;=:@/%]*(\\?[^\\s#]*)?");
    private static final int MAX_HEAD = 64 * 1024;

    private final ServerSocket server;
    private final Thread acceptor;
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean closed;

    public RecordingBackend() throws IOException {
        this(0);
    }

    public RecordingBackend(int port) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        acceptor = new Thread(this::acceptLoop, "recording-backend-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.getLocalPort());
    }

    public int connections() {
        return connections.get();
    }

    /** Everything received since the last {@link #clear()}, in arrival order. */
    public List<Received> requests() {
        return new ArrayList<>(received);
    }

    public void clear() {
        received.clear();
    }

    /** Waits until at least {@code n} requests arrived (or the timeout), then returns them all. */
    public List<Received> await(int n, long timeoutMillis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (received.size() < n && System.nanoTime() - end < 0) {
            Thread.sleep(5);
        }
        return requests();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        Socket s;
        while ((s = sockets.poll()) != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                int id = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, id), "recording-backend-" + id);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int connection) {
        try (s) {
            s.setSoTimeout(30_000);
            InputStream in = new java.io.BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            for (int index = 1; ; index++) {
                byte[] head = readHead(in);
                if (head == null) {
                    return; // clean end of connection between requests
                }
                List<String> irregular = new ArrayList<>();
                Received r = parse(connection, index, head, in, irregular);
                received.add(r);
                if (!r.regular()) {
                    out.write(("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    return;
                }
                if (!respond(r, s, in, out)) {
                    return;
                }
            }
        } catch (IOException e) {
            // the peer went away or we closed: nothing to record
        }
    }

    /** @return the head bytes up to and including the blank line, or null on EOF before any byte */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int state = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (buf.size() == 0) {
                    return null;
                }
                return buf.toByteArray(); // truncated head: parse flags it
            }
            buf.write(b);
            if (buf.size() > MAX_HEAD) {
                return buf.toByteArray();
            }
            // CRLF CRLF, or LF LF (so a bare-LF head is still delimited and then flagged)
            if (b == '\r') {
                state = state == 1 ? 1 : state == 2 ? 3 : 1;
            } else if (b == '\n') {
                if (state == 3 || state == 4) {
                    return buf.toByteArray();
                }
                state = state == 1 ? 2 : 4;
            } else {
                state = 0;
            }
        }
    }

    private static Received parse(int connection, int index, byte[] headBytes, InputStream in, List<String> irregular)
            throws IOException {
        String head = new String(headBytes, StandardCharsets.ISO_8859_1);
        if (!head.endsWith("\r\n\r\n")) {
            irregular.add("head not terminated by CRLF CRLF");
        }
        String[] lines = head.split("\r\n", -1);
        String method = "";
        String target = "";
        String requestLine = lines[0];
        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3 || !TOKEN.matcher(parts[0]).matches() || !"HTTP/1.1".equals(parts[2])) {
            irregular.add("bad request line: " + printable(requestLine));
        } else {
            method = parts[0];
            target = parts[1];
            if (!TARGET.matcher(target).matches()) {
                irregular.add("target not origin-form: " + printable(target));
            } else if (!normalPath(target)) {
                irregular.add("path not normal: " + target);
            }
        }
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
                irregular.add("bare CR or LF in: " + printable(line));
                continue;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                irregular.add("obs-fold: " + printable(line));
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !TOKEN.matcher(line.substring(0, colon)).matches()) {
                irregular.add("bad header line: " + printable(line));
                continue;
            }
            String value = line.substring(colon + 1).strip();
            for (int k = 0; k < value.length(); k++) {
                char c = value.charAt(k);
                if (c < 0x20 && c != '\t' || c == 0x7f) {
                    irregular.add("control character in " + line.substring(0, colon));
                    break;
                }
            }
            headers.add(new String[] {line.substring(0, colon), value});
        }
        Received probe = new Received(connection, index, method, target, headers, new byte[0], irregular);
        List<String> hosts = probe.headers("host");
        if (hosts.size() != 1) {
            irregular.add(hosts.size() + " Host headers");
        }
        for (String forbidden : List.of("x-original-url", "x-rewrite-url", "proxy-connection", "keep-alive", "te",
                "http2-settings", "expect")) {
            if (probe.header(forbidden) != null) {
                irregular.add("forwarded " + forbidden);
            }
        }
        String upgrade = probe.header("upgrade");
        if (upgrade != null && !upgrade.equalsIgnoreCase("websocket")) {
            irregular.add("forwarded Upgrade: " + upgrade);
        }
        List<String> cls = probe.headers("content-length");
        List<String> tes = probe.headers("transfer-encoding");
        byte[] body = new byte[0];
        if (cls.size() > 1) {
            irregular.add("repeated Content-Length");
        }
        if (tes.size() > 1 || tes.size() == 1 && !tes.get(0).equals("chunked")) {
            irregular.add("Transfer-Encoding " + tes);
        }
        if (!cls.isEmpty() && !tes.isEmpty()) {
            irregular.add("Content-Length with Transfer-Encoding");
        }
        if (!irregular.isEmpty()) {
            return new Received(connection, index, method, target, headers, body, List.copyOf(irregular));
        }
        if (tes.size() == 1) {
            body = readChunked(in, irregular);
        } else if (cls.size() == 1) {
            String cl = cls.get(0);
            if (!cl.matches("[0-9]{1,12}")) {
                irregular.add("bad Content-Length " + printable(cl));
            } else {
                body = in.readNBytes(Integer.parseInt(cl));
                if (body.length < Integer.parseInt(cl)) {
                    irregular.add("body shorter than Content-Length");
                }
            }
        }
        return new Received(connection, index, method, target, headers, body, List.copyOf(irregular));
    }

    private static boolean normalPath(String target) {
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        if (path.contains("//") || path.contains("\\")) {
            return false;
        }
        for (String seg : path.split("/", -1)) {
            String name = seg.indexOf(';') < 0 ? seg : seg.substring(0, seg.indexOf(';'));
            if (name.equals(".") || name.equals("..") || name.toLowerCase(Locale.ROOT).contains("%2e")) {
                return false;
            }
        }
        for (int i = 0; i + 2 < path.length(); i++) {
            if (path.charAt(i) == '%') {
                String hex = path.substring(i + 1, i + 3);
                int v = Integer.parseInt(hex, 16);
                boolean unreserved = Character.isLetterOrDigit(v) && v < 0x80 || "-._~".indexOf(v) >= 0;
                if (unreserved || !hex.equals(hex.toUpperCase(Locale.ROOT)) || v < 0x20 || v == 0x7f) {
                    return false;
                }
            }
        }
        return true;
    }

    private static byte[] readChunked(InputStream in, List<String> irregular) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String line = readLine(in);
            if (line == null) {
                irregular.add("chunked body truncated");
                return body.toByteArray();
            }
            if (!line.matches("[0-9a-fA-F]{1,8}")) {
                irregular.add("bad chunk size line: " + printable(line));
                return body.toByteArray();
            }
            int size = Integer.parseInt(line, 16);
            if (size == 0) {
                String trailer;
                while ((trailer = readLine(in)) != null && !trailer.isEmpty()) {
                    irregular.add("trailer: " + printable(trailer));
                }
                return body.toByteArray();
            }
            byte[] data = in.readNBytes(size);
            body.write(data);
            if (data.length < size || in.read() != '\r' || in.read() != '\n') {
                irregular.add("chunk data not followed by CRLF");
                return body.toByteArray();
            }
        }
    }

    /** A CRLF-terminated line (bare LF or CR inside is flagged by returning it with the character kept). */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (b == '\r') {
                int n = in.read();
                if (n == '\n') {
                    return sb.toString();
                }
                sb.append('\r');
                if (n < 0) {
                    return null;
                }
                sb.append((char) n);
            } else {
                sb.append((char) b);
                if (b == '\n' || sb.length() > 8192) {
                    return sb.toString();
                }
            }
        }
    }

    /** @return whether the connection stays open for another request */
    private static boolean respond(Received r, Socket s, InputStream in, OutputStream out) throws IOException {
        String path = r.path();
        if (path.startsWith("/bad/close-when-reused") && r.indexOnConnection() > 1) {
            s.close(); // as a backend closing an idle keep-alive connection just as the gateway reuses it
            return false;
        }
        byte[] reply;
        switch (path) {
            case "/bad/two-cl" -> reply = ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nokSMUG");
            case "/bad/cl-te" -> reply = ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "2\r\nok\r\n0\r\n\r\n");
            case "/bad/reset-headers" -> {
                out.write(ascii("HTTP/1.1 200 OK\r\nX-Partial: "));
                out.flush();
                s.setSoLinger(true, 0);
                s.close(); // RST
                return false;
            }
            case "/bad/short-body" -> {
                out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"));
                out.flush();
                s.close();
                return false;
            }
            case "/bad/refuse-upgrade", "/ws/refuse" -> reply = ascii("HTTP/1.1 403 Forbidden\r\nContent-Length: 7\r\n\r\nrefused");
            default -> {
                if (path.startsWith("/ws") && "websocket".equalsIgnoreCase(r.header("upgrade"))) {
                    out.write(ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: x\r\n\r\n"));
                    out.flush();
                    byte[] buf = new byte[4096];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                    return false;
                }
                String body = "ok " + r.method() + " " + r.target() + "\n";
                reply = ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                        + "\r\n\r\n" + body);
            }
        }
        out.write(reply);
        out.flush();
        String connection = r.header("connection");
        return connection == null || !connection.equalsIgnoreCase("close");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
