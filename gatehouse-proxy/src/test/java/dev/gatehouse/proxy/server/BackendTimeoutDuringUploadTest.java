package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.http.ProxyContext;
import dev.gatehouse.proxy.testing.TestRouting;
import dev.gatehouse.proxy.testing.TestRouting.TestCluster;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import dev.gatehouse.proxy.upstream.UpstreamPools;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.runtime.SnapshotHolder;
import dev.gatehouse.testing.FreePorts;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 * The gateway's default backend timeout (no route or policy timeout set) is how long a backend may take to answer
 * once it has the request, as Envoy's route timeout counts from the end of the downstream request: an upload that
 * takes longer than it, to a backend that keeps reading, is not cut off. A backend that stops reading the body (and
 * so stops the upload through back-pressure) still gets a 504 one timeout after the last body bytes went to it,
 * never a hang.
 */
class BackendTimeoutDuringUploadTest {
    private static final Duration BACKEND_TIMEOUT = Duration.ofSeconds(1);

    private EventLoopGroup group;
    private ServerSocket backend;
    private Thread backendThread;

    @AfterEach
    void tearDown() throws Exception {
        if (backend != null) {
            backend.close();
            backendThread.join(5000);
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void anUploadLongerThanTheBackendTimeoutToABackendThatKeepsReadingGetsItsAnswer() throws Exception {
        int chunks = 30;
        int chunk = 1000;
        int port = startProxy(this::countTheBodyThenAnswer);
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(30_000);
            OutputStream out = client.getOutputStream();
            out.write(("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: " + chunks * chunk + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // 30 pieces 100 ms apart: at least 3 s of upload against a 1 s backend timeout
            for (int i = 0; i < chunks; i++) {
                out.write(new byte[chunk]);
                out.flush();
                Thread.sleep(100);
            }
            String answer = readAnswer(client.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n" + chunks * chunk);
        }
    }

    @Test
    void aBackendThatStopsReadingTheBodyGetsA504AfterTheTimeoutNotAHang() throws Exception {
        int port = startProxy(this::readTheHeadOnly);
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(30_000);
            OutputStream out = client.getOutputStream();
            long body = 256L * 1024 * 1024; // more than every socket buffer on the way holds
            out.write(("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: " + body + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            CountDownLatch stopped = new CountDownLatch(1);
            Thread writer = new Thread(() -> {
                byte[] piece = new byte[64 * 1024];
                try {
                    for (long sent = 0; sent < body; sent += piece.length) {
                        out.write(piece);
                    }
                } catch (Exception closed) {
                    // the gateway answered and closed, or the test closed the socket
                } finally {
                    stopped.countDown();
                }
            }, "upload");
            writer.start();
            String answer = readAnswer(client.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 504").contains("upstream timeout");
            client.close();
            assertThat(stopped.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private int startProxy(Runnable backendWork) throws Exception {
        backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        backendThread = new Thread(backendWork, "upload-backend");
        backendThread.start();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        TestCluster cluster = new TestCluster("default/upload:80",
                List.of(new InetSocketAddress("127.0.0.1", backend.getLocalPort())));
        TestRouter router = new TestRouter().pathPrefix("/", TestRoute.to(cluster));
        int port = FreePorts.tcp();
        SnapshotHolder holder = new SnapshotHolder(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(port, router)));
        ProxyContext context = new ProxyContext(holder,
                new UpstreamPools(group, NioSocketChannel.class, Duration.ofSeconds(5)));
        ServerOptions options = new ServerOptions("127.0.0.1", 1, Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(1), BACKEND_TIMEOUT, 8192, 4096);
        new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new FrontendInitializer(context, options))
                .bind("127.0.0.1", port).sync();
        return port;
    }

    private void countTheBodyThenAnswer() {
        try (Socket s = backend.accept()) {
            InputStream in = s.getInputStream();
            String head = readHead(in);
            long length = Long.parseLong(head.toLowerCase().split("content-length: ")[1].split("\r\n")[0].trim());
            byte[] buf = new byte[8192];
            long got = 0;
            for (int n; got < length && (n = in.read(buf)) > 0; ) {
                got += n;
            }
            String count = String.valueOf(got);
            s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: " + count.length() + "\r\n\r\n" + count)
                    .getBytes(StandardCharsets.ISO_8859_1));
            in.read();
        } catch (Exception ignored) {
            // the test's own close
        }
    }

    private void readTheHeadOnly() {
        try (Socket s = backend.accept()) {
            readHead(s.getInputStream());
            Thread.sleep(60_000); // neither reads the body nor answers, until the test closes the listener
        } catch (Exception ignored) {
            // the test's own close
        }
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("no request head");
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** A response with a Content-Length: its head and body as text. */
    private static String readAnswer(InputStream in) throws Exception {
        String head = readHead(in);
        long length = Long.parseLong(head.toLowerCase().split("content-length: ")[1].split("\r\n")[0].trim());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int b; body.size() < length && (b = in.read()) >= 0; ) {
            body.write(b);
        }
        return head + body.toString(StandardCharsets.ISO_8859_1);
    }
}
