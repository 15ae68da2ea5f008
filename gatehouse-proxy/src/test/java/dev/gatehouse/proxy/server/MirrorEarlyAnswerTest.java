package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import dev.gatehouse.routing.route.Backend;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.proxy.testing.RawHttp;
import dev.gatehouse.proxy.testing.TestBackend;
import dev.gatehouse.proxy.testing.TestRouting;
import dev.gatehouse.proxy.testing.TestRouting.TestCluster;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A mirror backend that answers (or closes) as soon as it has the request head, while the client is still
 * sending the body: every chunk offered to the mirror after that must still be released. The leak check
 * (LeakCheckExtension, paranoid) fails the test otherwise.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MirrorEarlyAnswerTest {
    @ParameterizedTest
    @ValueSource(strings = {"answer", "close"})
    void chunksOfferedAfterTheMirrorEndedAreReleased(String mirrorMode) throws Exception {
        try (TestBackend main = new TestBackend(); EarlyMirror mirror = new EarlyMirror(mirrorMode.equals("close"))) {
            TestCluster mainCluster = new TestCluster("default/main:80", List.of(main.address()));
            TestCluster mirrorCluster = new TestCluster("default/early:80", List.of(
                    new java.net.InetSocketAddress("127.0.0.1", mirror.port())));
            HttpFilter mirrorFilter = new HttpFilter() {
                @Override
                public FilterResult onRequest(HttpExchange exchange) {
                    exchange.addMirror(mirrorCluster);
                    return FilterResult.CONTINUE;
                }
            };
            int port = ProxyIntegrationTest.freePort();
            GatewayServer gateway = new GatewayServer(ServerOptions.defaults().withBindAddress("127.0.0.1")
                    .withIoThreads(1));
            try {
                gateway.apply(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(port, new TestRouter()
                        .pathPrefix("/", new TestRoute("m", List.of(mirrorFilter),
                                new Backend(mainCluster, List.of(), null), TimeoutSpec.NONE)))));
                for (int i = 0; i < 3; i++) {
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        s.setSoTimeout(5000);
                        OutputStream out = s.getOutputStream();
                        out.write(ascii("POST /upload/" + i + " HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                                + "Connection: close\r\n\r\n5\r\nfirst\r\n"));
                        out.flush();
                        assertThat(mirror.ended.await(10, TimeUnit.SECONDS)).as("mirror ended early").isTrue();
                        Thread.sleep(100); // let the gateway read the mirror's answer (or close) first
                        for (int k = 0; k < 4; k++) {
                            out.write(ascii("6\r\nchunk" + k + "\r\n"));
                            out.flush();
                            Thread.sleep(20);
                        }
                        out.write(ascii("0\r\n\r\n"));
                        out.flush();
                        RawHttp.Reply reply = RawHttp.read(s.getInputStream());
                        assertThat(reply.status()).isEqualTo(200);
                        assertThat(reply.text()).contains("bytes=29");
                    }
                    mirror.reset();
                }
            } finally {
                gateway.close();
            }
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Reads a request head, then answers 200 at once (keep-alive) or closes, without waiting for the body. */
    private static final class EarlyMirror implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final boolean close;
        volatile CountDownLatch ended = new CountDownLatch(1);

        EarlyMirror(boolean close) throws IOException {
            this.close = close;
            Thread t = new Thread(this::accept, "early-mirror");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        void reset() {
            ended = new CountDownLatch(1);
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> serve(s), "early-mirror-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                int state = 0;
                while (state < 4) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                            ? state + 1 : 0;
                }
                if (!close) {
                    s.getOutputStream().write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
                    s.getOutputStream().flush();
                }
                ended.countDown();
                if (!close) {
                    in.transferTo(OutputStream.nullOutputStream()); // read and drop the rest, until the gateway closes
                }
            } catch (IOException e) {
                // the gateway closed the copy
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
