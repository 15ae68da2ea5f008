package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.testing.RawH2Client;
import dev.gatehouse.proxy.testing.RecordingBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sanity check of the tests themselves: the slow-client and h2 downgrade cases of {@link SlowClientTest} and
 * {@link Http2AbuseTest} run against nginx (Debian's nginx-light) configured with the same 1 s limits, in
 * front of the same {@link RecordingBackend}. If nginx also passes, the tests measure real protections rather
 * than a quirk of gatehouse. Skipped when nginx is not installed.
 */
class NginxSlowClientSanityTest {
    static final Path NGINX = Path.of("/usr/sbin/nginx");
    static Process nginx;
    static Path dir;
    static RecordingBackend recording;
    static int h1Port;
    static int h2Port;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(NGINX), "nginx not installed");
        recording = new RecordingBackend();
        h1Port = Http2AbuseTest.freePort();
        h2Port = Http2AbuseTest.freePort();
        dir = Files.createTempDirectory("nginx-sanity");
        String conf = """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 2048; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy; fastcgi_temp_path %1$s/fcgi;
                  uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;
                  client_header_timeout 1s; client_body_timeout 1s; keepalive_timeout 1s;
                  proxy_request_buffering off; proxy_http_version 1.1;
                  upstream backend { server %2$s; keepalive 16; }
                  server { listen 127.0.0.1:%3$d;
                           location / { proxy_pass http://backend; proxy_set_header Connection ""; } }
                  server { listen 127.0.0.1:%4$d http2;
                           location / { proxy_pass http://backend; proxy_set_header Connection ""; } }
                }
                """.formatted(dir, "127.0.0.1:" + recording.address().getPort(), h1Port, h2Port);
        Files.writeString(dir.resolve("nginx.conf"), conf);
        nginx = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-e", dir.resolve("error.log").toString(),
                "-c", dir.resolve("nginx.conf").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a process start on a busy machine
        while (System.nanoTime() < end) {
            try (Socket s = new Socket("127.0.0.1", h1Port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("nginx did not start: " + Files.readString(dir.resolve("error.log")));
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.destroy();
        }
        if (recording != null) {
            recording.close();
        }
    }

    @Test
    void slowlorisIsClosedByNginxToo() throws Exception {
        try (Socket s = SlowClientTest.connect(h1Port)) {
            long t0 = System.nanoTime();
            SlowClientTest.write(s, "GET / HTTP/1.1\r\nHost: a\r\n");
            long closedAfter = SlowClientTest.trickleUntilClosed(s, "X-Slow: loris\r\n", 100,
                    1000 + SlowClientTest.LATE_MILLIS);
            SlowClientTest.assertClosedAtDeadline(closedAfter - t0, 1000);
        }
    }

    @Test
    void stalledBodyIsCutByNginxToo() throws Exception {
        try (Socket s = SlowClientTest.connect(h1Port)) {
            SlowClientTest.write(s, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(2000));
            long t0 = System.nanoTime();
            // nginx's timer started at its last read, a little before t0: hence 800 ms, not 1000 - EARLY_MILLIS
            assertThat(TimeUnit.NANOSECONDS.toMillis(untilEof(s, (int) (2 * SlowClientTest.LATE_MILLIS)) - t0))
                    .as("closed after (ms), client_body_timeout 1 s")
                    .isBetween(800L, 1000 + SlowClientTest.LATE_MILLIS);
        }
    }

    @Test
    void h2DowngradeAttacksAreRefusedByNginxToo() throws Exception {
        recording.clear();
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", h2Port);
        byte[] smuggled = "GET /rec/smuggled HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        // nginx may neutralise rather than refuse (1.22 drops transfer-encoding and frames the body itself);
        // the invariant both must keep is the backend's: nothing smuggled, nothing injected
        outcome(target, "te", c -> {
            c.headers(1, RawH2Client.request("POST", "/rec/te", "transfer-encoding", "chunked"), false);
            c.frame(RawH2Client.DATA, RawH2Client.END_STREAM, 1,
                    Http2AbuseTest.concat("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII), smuggled));
        });
        outcome(target, "cl0", c -> {
            c.headers(1, RawH2Client.request("POST", "/rec/cl0", "content-length", "0"), false);
            c.frame(RawH2Client.DATA, RawH2Client.END_STREAM, 1, smuggled);
        });
        outcome(target, "crlf", c -> c.headers(1, RawH2Client.request("GET", "/rec/crlf", "x-a", "a\r\nx-injected: 1"), true));
        outcome(target, "upper", c -> c.headers(1, RawH2Client.request("GET", "/rec/upper", "X-Upper", "1"), true));
        outcome(target, "space", c -> c.headers(1, RawH2Client.request("GET", "/rec/space", "x a", "1"), true));
        List<RecordingBackend.Received> seen = recording.requests();
        assertThat(seen).noneMatch(r -> r.target().contains("smuggled") || r.header("x-injected") != null);
    }

    private static void outcome(InetSocketAddress target, String name, Http2AbuseTest.Attack attack) throws Exception {
        try (RawH2Client c = new RawH2Client(target)) {
            attack.send(c);
            c.flush();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (!c.isClosed() && c.resets.get() == 0 && c.goAwayError.get() < 0 && !c.statuses.containsKey(1)
                    && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            System.out.printf("nginx h2 %s: status %s, resets %s, GOAWAY %d%n", name, c.statuses.get(1), c.resetsByCode,
                    c.goAwayError.get());
        }
    }

    /** @return when the peer closed (reading and discarding whatever it sent first) */
    private static long untilEof(Socket s, int timeoutMillis) throws IOException {
        s.setSoTimeout(timeoutMillis);
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // a 408 or similar may come first
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("still open after " + timeoutMillis + " ms");
        } catch (IOException e) {
            // reset counts as closed
        }
        return System.nanoTime();
    }
}
