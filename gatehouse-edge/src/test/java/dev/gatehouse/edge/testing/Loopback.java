package dev.gatehouse.edge.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Loopback helpers for the edge's tests. */
public final class Loopback {
    private Loopback() {
    }

    /** A port free on {@code host} now (the edge's listen port must equal a Service port, so it cannot be 0). */
    public static int freePort(String host) throws IOException {
        return dev.gatehouse.testing.FreePorts.tcp(host);
    }

    /**
     * One HTTP/1.1 request through {@code edge}, read to its end.
     *
     * @return the response body (the backend's name), or {@code null} when the connection failed or was refused
     */
    public static String get(InetSocketAddress edge, String host) {
        try (Socket s = new Socket()) {
            s.connect(edge, 5_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            int body = response.indexOf("\r\n\r\n");
            return response.startsWith("HTTP/1.1 200 ") && body > 0 ? response.substring(body + 4) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
