package dev.gatehouse.proxy.resilience;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket HTTP/1.1 keep-alive backend that fails on demand, for retries and breakers, with its answer chosen by
 * the query: the first {@code fail} requests carrying an {@code id} (counted across every backend sharing
 * {@code failures}, as the conformance echo backend counts replicas) fail with {@code how}: a status code, or
 * {@code reset} (TCP RST before any answer); {@code delay} ms precede a failing answer and {@code wait} ms every
 * answer. Success is 200 with the backend's name as body; every request is recorded.
 */
final class ScriptedBackend implements AutoCloseable {
    record Hit(String backend, String method, String path, int connection, String body) {
    }

    final String name;
    final ConcurrentLinkedQueue<Hit> hits;
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger maxActive = new AtomicInteger();
    final AtomicInteger closedByPeer = new AtomicInteger();
    private final Map<String, AtomicInteger> failures;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    ScriptedBackend(String name, Map<String, AtomicInteger> failures, ConcurrentLinkedQueue<Hit> hits)
            throws IOException {
        this.name = name;
        this.failures = failures;
        this.hits = hits;
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "backend-" + name);
        t.setDaemon(true);
        t.start();
    }

    ScriptedBackend(String name) throws IOException {
        this(name, new ConcurrentHashMap<>(), new ConcurrentLinkedQueue<>());
    }

    InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    List<Hit> hits(String pathPrefix) {
        return hits.stream().filter(h -> h.path().startsWith(pathPrefix)).toList();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                int n = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, n), "backend-" + name + "-" + n);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int connection) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    closedByPeer.incrementAndGet();
                    return;
                }
                String[] lines = head.split("\r\n");
                String[] requestLine = lines[0].split(" ");
                int length = 0;
                for (String line : lines) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                byte[] body = in.readNBytes(length);
                URI uri = URI.create(requestLine[1]);
                hits.add(new Hit(name, requestLine[0], uri.getPath(), connection,
                        new String(body, StandardCharsets.ISO_8859_1)));
                if (!answer(s, out, requestLine[0], uri)) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the peer went away
        }
    }

    /** @return false when the connection was reset instead */
    private boolean answer(Socket s, OutputStream out, String method, URI uri)
            throws IOException, InterruptedException {
        Map<String, String> q = query(uri);
        int now = active.incrementAndGet();
        maxActive.accumulateAndGet(now, Math::max);
        try {
            String id = q.get("id");
            int fail = Integer.parseInt(q.getOrDefault("fail", "0"));
            boolean failing = id != null && failures.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() <= fail;
            Thread.sleep(Long.parseLong(q.getOrDefault("wait", "0")));
            if (failing) {
                Thread.sleep(Long.parseLong(q.getOrDefault("delay", "0")));
                String how = q.getOrDefault("how", "503");
                if (how.equals("reset")) {
                    s.setSoLinger(true, 0);
                    s.close();
                    return false;
                }
                write(out, Integer.parseInt(how), "fail " + name, method);
            } else {
                write(out, 200, name, method);
            }
            return true;
        } finally {
            active.decrementAndGet();
        }
    }

    private static void write(OutputStream out, int status, String body, String method) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " X\r\ncontent-type: text/plain\r\ncontent-length: " + b.length + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        if (!method.equals("HEAD")) {
            out.write(b);
        }
        out.flush();
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> q = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                q.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        return q;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        int c;
        while ((c = in.read()) != -1) {
            b.write(c);
            state = c == '\r' && (state == 0 || state == 2) ? state + 1 : c == '\n' && (state == 1 || state == 3) ? state + 1 : 0;
            if (state == 4) {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
