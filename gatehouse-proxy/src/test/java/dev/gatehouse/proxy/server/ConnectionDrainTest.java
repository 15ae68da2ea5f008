package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.http.ConnectionTimeoutHandler;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.proxy.testing.RawH2Client;
import dev.gatehouse.proxy.testing.TestBackend;
import dev.gatehouse.proxy.testing.TestRouting;
import dev.gatehouse.proxy.testing.TestRouting.TestCluster;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@link GatewayServer#drain} over real sockets: what each kind of connection sees when the server stops. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionDrainTest {
    private TestBackend backend;
    private GatewayServer server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        backend = new TestBackend();
        port = ProxyIntegrationTest.freePort();
        TestCluster cluster = new TestCluster("default/echo:80", List.of(backend.address()));
        server = new GatewayServer(GatewayServerTest.options());
        server.apply(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(port,
                new TestRouter().pathPrefix("/", TestRoute.to(cluster)))));
    }

    @AfterEach
    void stop() {
        server.close();
        backend.close();
    }

    private CompletableFuture<Void> drainInBackground(Duration timeout) {
        return CompletableFuture.runAsync(() -> server.drain(timeout));
    }

    @Test
    void http11AnswersInFlightWithConnectionCloseAndClosesIdleConnectionsAtOnce() throws Exception {
        try (Socket idle = socket(); Socket busy = socket()) {
            send(idle, "GET /fast HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(readUntil(idle.getInputStream(), "\r\n\r\n")).startsWith("HTTP/1.1 200");
            send(busy, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"); // answered by the backend after 2 s
            await().until(() -> backend.requests.get() == 2);

            CompletableFuture<Void> drain = drainInBackground(Duration.ofSeconds(30));

            assertThat(readToEnd(idle.getInputStream())).doesNotContain("HTTP/1.1"); // closed, nothing sent
            await().until(() -> refused(port));
            String answer = readToEnd(busy.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close").endsWith("slow\n");
            drain.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aKeepAliveConnectionQuietLongEnoughToHaveDroppedItsCodecClosesAtOnce() throws Exception {
        try (Socket quiet = socket()) {
            send(quiet, "GET /fast HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(readUntil(quiet.getInputStream(), "\r\n\r\n")).startsWith("HTTP/1.1 200");
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(ConnectionTimeoutHandler.QUIET_NANOS) + 500);

            long start = System.nanoTime();
            server.drain(Duration.ofSeconds(20));

            assertThat(readToEnd(quiet.getInputStream())).doesNotContain("HTTP/1.1");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not held until the timeout")
                    .isLessThan(Duration.ofSeconds(15));
        }
    }

    /** No drain: such a quiet connection serves its next requests, as the same client, over the real transport. */
    @Test
    void aKeepAliveConnectionQuietPastTheDelayIsAnsweredAgainAsTheSameClient() throws Exception {
        try (Socket quiet = socket()) {
            for (int i = 0; i < 3; i++) {
                send(quiet, "GET /again" + i + " HTTP/1.1\r\nHost: a\r\n\r\n");
                String head = readUntil(quiet.getInputStream(), "\r\n\r\n");
                assertThat(head).startsWith("HTTP/1.1 200");
                int length = Integer.parseInt(head.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
                String body = new String(quiet.getInputStream().readNBytes(length), StandardCharsets.ISO_8859_1);
                assertThat(body).contains("uri=/again" + i, "h:x-forwarded-for=127.0.0.1");
                // quiet: the stand-in alone, the next bytes bring it all back
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(ConnectionTimeoutHandler.QUIET_NANOS) + 500);
            }
        }
    }

    @Test
    void h2GetsGoawayAndItsStreamInFlightCompletes() throws Exception {
        try (RawH2Client h2 = new RawH2Client(new InetSocketAddress("127.0.0.1", port))) {
            h2.headers(1, RawH2Client.request("GET", "/slow"), true);
            h2.flush();
            await().until(() -> backend.requests.get() == 1);

            CompletableFuture<Void> drain = drainInBackground(Duration.ofSeconds(30));

            await().until(() -> h2.goAwayError.get() == 0); // NO_ERROR
            assertThat(h2.awaitClose(30_000)).isTrue(); // once its last stream has ended
            assertThat(h2.statuses).containsEntry(1, "200");
            drain.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDownloadStillGoingAtTheTimeoutIsClosed() throws Exception {
        try (Socket slowReader = socket()) {
            // 64 MiB that this client does not read: the response cannot finish
            send(slowReader, "GET /download?size=67108864 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(readUntil(slowReader.getInputStream(), "\r\n\r\n")).startsWith("HTTP/1.1 200");

            server.drain(Duration.ofSeconds(1));

            assertThat(endsWithoutWaiting(slowReader)).isTrue();
        }
        assertThat(refused(port)).isTrue();
    }

    /** Reads what was sent: the end (EOF, or a reset for data the peer never read) comes, no read times out. */
    private static boolean endsWithoutWaiting(Socket s) {
        try {
            s.getInputStream().readAllBytes();
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private Socket socket() throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(30_000);
        return s;
    }

    private static void send(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String readUntil(InputStream in, String marker) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            seen.write(b);
            if (seen.toString(StandardCharsets.ISO_8859_1).endsWith(marker)) {
                return seen.toString(StandardCharsets.ISO_8859_1);
            }
        }
        throw new IOException("closed before '" + marker + "': " + seen);
    }

    private static String readToEnd(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
}
