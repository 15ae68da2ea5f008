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
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;

import java.io.EOFException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A proxy on a free port (one NIO event loop, every path routed to one cluster) in front of a blocking loopback
 * backend that serves one connection on a thread of its own: for tests of how bodies and deadlines cross the proxy
 * between two real sockets, with the channel classes and options each test needs.
 */
final class OneBackendProxy implements AutoCloseable {
    /** What the backend does with the one connection it accepts; the fixture closes it after. */
    @FunctionalInterface
    interface Backend {
        void serve(Socket connection) throws Exception;
    }

    final int port;
    private final ServerSocket backend;
    private final Thread backendThread;
    private final EventLoopGroup group;

    private OneBackendProxy(ServerSocket backend, Thread backendThread, EventLoopGroup group, int port) {
        this.backend = backend;
        this.backendThread = backendThread;
        this.group = group;
        this.port = port;
    }

    static OneBackendProxy start(Backend work, Class<? extends Channel> upstreamChannel,
                                 Class<? extends ServerChannel> listenerChannel, ServerOptions options)
            throws Exception {
        ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread backendThread = new Thread(() -> {
            try (Socket s = backend.accept()) {
                work.serve(s);
            } catch (Exception ignored) {
                // the test's own close
            }
        }, "one-backend");
        backendThread.start();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        TestCluster cluster = new TestCluster("default/one:80",
                List.of(new InetSocketAddress("127.0.0.1", backend.getLocalPort())));
        TestRouter router = new TestRouter().pathPrefix("/", TestRoute.to(cluster));
        int port = FreePorts.tcp();
        SnapshotHolder holder = new SnapshotHolder(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(port, router)));
        ProxyContext context = new ProxyContext(holder, new UpstreamPools(group, upstreamChannel, Duration.ofSeconds(5)));
        new ServerBootstrap().group(group).channel(listenerChannel)
                .childHandler(new FrontendInitializer(context, options))
                .bind("127.0.0.1", port).sync();
        return new OneBackendProxy(backend, backendThread, group, port);
    }

    /** Reads an HTTP/1.1 head, up to its blank line, and returns it. */
    static String readHead(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || head.lastIndexOf("\r\n\r\n") != head.length() - 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("no complete head");
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** The Content-Length of a head {@link #readHead} returned. */
    static long contentLength(String head) {
        return Long.parseLong(head.toLowerCase().split("content-length: ")[1].split("\r\n")[0].trim());
    }

    /**
     * A backend that reads the request head, waits {@code pauseMillis} before it reads the body (so the gateway's
     * upstream connection fills up meanwhile), counts the body and answers with the count.
     */
    static void countTheBodyThenAnswer(Socket s, long pauseMillis) throws Exception {
        InputStream in = s.getInputStream();
        long length = contentLength(readHead(in));
        Thread.sleep(pauseMillis);
        byte[] buf = new byte[64 * 1024];
        long got = 0;
        for (int n; got < length && (n = in.read(buf)) > 0; ) {
            got += n;
        }
        String count = String.valueOf(got);
        s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: " + count.length() + "\r\n\r\n" + count)
                .getBytes(StandardCharsets.ISO_8859_1));
        in.read();
    }

    @Override
    public void close() throws Exception {
        backend.close();
        backendThread.join(5000);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
