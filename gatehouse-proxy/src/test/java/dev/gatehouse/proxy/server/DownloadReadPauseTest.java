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
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A download to a client that keeps up: the proxy writes each upstream read to the client's socket before it reads
 * again, and pauses the upstream only when the client's socket did not take it. Before, every 64 KiB read took the
 * client over its high-water mark and paused the upstream until the end of the read batch (two {@code epoll_ctl}
 * and a trip through the event loop per read). Counted here: how often the upstream's reading was resumed.
 */
class DownloadReadPauseTest {
    private static final int BODY = 8 * 1024 * 1024;
    /** resumes of the upstream's reading, all upstream channels of this test (the first read counts as one) */
    static final AtomicInteger RESUMES = new AtomicInteger();

    private EventLoopGroup group;
    private ServerSocket backend;
    private Thread backendThread;

    /** An upstream channel that counts each start of reading (once at connect, then once per pause lifted). */
    public static final class CountingChannel extends NioSocketChannel {
        @Override
        protected void doBeginRead() throws Exception {
            RESUMES.incrementAndGet();
            super.doBeginRead();
        }
    }

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
    void aClientThatKeepsUpNeverPausesTheUpstreamRead() throws Exception {
        backend = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        backendThread = new Thread(this::serveOneBigAnswer, "big-answer-backend");
        backendThread.start();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        TestCluster cluster = new TestCluster("default/big:80",
                List.of(new InetSocketAddress("127.0.0.1", backend.getLocalPort())));
        TestRouter router = new TestRouter().pathPrefix("/", TestRoute.to(cluster));
        int port = FreePorts.tcp();
        SnapshotHolder holder = new SnapshotHolder(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(port, router)));
        ProxyContext context = new ProxyContext(holder, new UpstreamPools(group, CountingChannel.class,
                Duration.ofSeconds(5)));
        Channel proxy = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new FrontendInitializer(context, GatewayServerTest.options()))
                .bind("127.0.0.1", port).sync().channel();
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(30_000);
            client.getOutputStream().write("GET /big HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            long body = readResponseBody(client.getInputStream());
            assertThat(body).isEqualTo(BODY);
        } finally {
            proxy.close().sync();
        }
        // 128 reads of 64 KiB: before, one resume per read; now only when the client's socket buffer was full
        assertThat(RESUMES.get()).as("upstream read resumes for %d MiB", BODY >> 20).isLessThan(BODY / 65536 / 4);
    }

    private void serveOneBigAnswer() {
        try (Socket s = backend.accept()) {
            InputStream in = s.getInputStream();
            int matched = 0;
            while (matched < 4) { // the request head, up to its blank line
                int b = in.read();
                if (b < 0) {
                    return;
                }
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
            }
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + BODY + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[256 * 1024];
            for (int sent = 0; sent < BODY; sent += chunk.length) {
                out.write(chunk);
            }
            out.flush();
            in.read(); // until the proxy closes or pools the connection
        } catch (Exception ignored) {
            // the test's own close
        }
    }

    /** Reads a response head with a Content-Length and its body; returns the body's length. */
    private static long readResponseBody(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("response head").isNotNegative();
            head.append((char) b);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 200");
        long length = Long.parseLong(head.toString().toLowerCase().split("content-length: ")[1].split("\r\n")[0].trim());
        byte[] buf = new byte[256 * 1024];
        long got = 0;
        while (got < length) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, length - got));
            assertThat(n).as("body bytes").isPositive();
            got += n;
        }
        return got;
    }
}
