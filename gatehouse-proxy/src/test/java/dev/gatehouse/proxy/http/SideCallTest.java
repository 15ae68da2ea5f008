package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.upstream.UpstreamPool;
import dev.gatehouse.proxy.upstream.UpstreamPools;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.filter.UpstreamCalls;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SideCall} over real loopback sockets: answers read whole, pooling, the deadline, refusals, oversize. */
class SideCallTest {
    private NioEventLoopGroup group;
    private EventLoop loop;
    private UpstreamPool pool;
    private AuthService service;

    /** A raw-socket keep-alive HTTP/1.1 service answering by path: /ok, /big (100 kB), /silent, /close. */
    private static final class AuthService implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger connections = new AtomicInteger();
        final List<Socket> sockets = new CopyOnWriteArrayList<>();

        AuthService() throws IOException {
            Thread t = new Thread(this::accept, "auth-service");
            t.setDaemon(true);
            t.start();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    connections.incrementAndGet();
                    sockets.add(s);
                    Thread t = new Thread(() -> serve(s), "auth-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                while (true) {
                    String head = readHead(in);
                    if (head == null) {
                        return;
                    }
                    String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                    switch (path) {
                        case "/ok" -> out.write(("HTTP/1.1 200 OK\r\nx-user: alice\r\nContent-Length: 2\r\n\r\nok")
                                .getBytes(StandardCharsets.US_ASCII));
                        case "/big" -> {
                            out.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 100000\r\n\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
                            out.write(new byte[100_000]);
                        }
                        case "/close" -> {
                            out.write("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno"
                                    .getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                            return;
                        }
                        default -> { } // /silent: never answers
                    }
                    out.flush();
                }
            } catch (IOException e) {
                // the gateway closed the connection
            }
        }

        private static String readHead(InputStream in) throws IOException {
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                b.append((char) c);
                if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
                    return b.toString();
                }
            }
            return null;
        }

        InetSocketAddress address() {
            return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
        }

        void closeConnections() throws IOException {
            for (Socket s : sockets) {
                s.close();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            closeConnections();
        }
    }

    private static Cluster cluster(InetSocketAddress endpoint) {
        return new Cluster() {
            @Override
            public String name() {
                return "auth/service:80";
            }

            @Override
            public List<InetSocketAddress> endpoints() {
                return endpoint == null ? List.of() : List.of(endpoint);
            }

            @Override
            public InetSocketAddress pick() {
                return endpoint;
            }
        };
    }

    @BeforeEach
    void start() throws IOException {
        group = new NioEventLoopGroup(1);
        loop = group.next();
        pool = new UpstreamPools(group, NioSocketChannel.class, Duration.ofSeconds(2)).forLoop(loop);
        service = new AuthService();
    }

    @AfterEach
    void stop() throws Exception {
        service.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private UpstreamCalls.Answer call(InetSocketAddress endpoint, String path, Duration timeout) throws Exception {
        CompletableFuture<UpstreamCalls.Answer> done = new CompletableFuture<>();
        loop.execute(() -> SideCall.start(pool, cluster(endpoint), new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                        HttpMethod.GET, path, Unpooled.EMPTY_BUFFER), timeout, 64 * 1024)
                .whenComplete((a, e) -> {
                    assertThat(loop.inEventLoop()).as("completes on the caller's loop").isTrue();
                    if (e != null) {
                        done.completeExceptionally(e);
                    } else {
                        done.complete(a);
                    }
                }));
        try {
            return done.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @Test
    void readsTheAnswerWholeAndPoolsTheConnectionForTheNextCall() throws Exception {
        UpstreamCalls.Answer a = call(service.address(), "/ok", Duration.ofSeconds(5));
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.headers().get("x-user")).isEqualTo("alice");
        assertThat(new String(a.body(), StandardCharsets.UTF_8)).isEqualTo("ok");
        assertThat(call(service.address(), "/ok", Duration.ofSeconds(5)).status()).isEqualTo(200);
        assertThat(service.connections).hasValue(1);
        assertThat(loop.submit(() -> pool.idleCount(service.address())).get()).isEqualTo(1);

        // the service closed the pooled connection meanwhile: the call still gets its answer, on a new connection
        service.closeConnections();
        assertThat(call(service.address(), "/ok", Duration.ofSeconds(5)).status()).isEqualTo(200);
        assertThat(service.connections).hasValue(2);
    }

    @Test
    void aConnectionClosingAnswerIsReadAndNotPooled() throws Exception {
        UpstreamCalls.Answer a = call(service.address(), "/close", Duration.ofSeconds(5));
        assertThat(a.status()).isEqualTo(401);
        assertThat(new String(a.body(), StandardCharsets.UTF_8)).isEqualTo("no");
        assertThat(loop.submit(() -> pool.idleCount(service.address())).get()).isZero();
    }

    @Test
    void silenceTimesOutAndAnOversizedAnswerFails() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> call(service.address(), "/silent", Duration.ofMillis(300)))
                .isInstanceOf(TimeoutException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
        assertThatThrownBy(() -> call(service.address(), "/big", Duration.ofSeconds(5)))
                .isInstanceOf(IOException.class).hasMessageContaining("longer than");
    }

    @Test
    void aRefusedConnectionOrNoEndpointFails() throws Exception {
        InetSocketAddress dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = new InetSocketAddress(s.getInetAddress(), s.getLocalPort());
        }
        assertThatThrownBy(() -> call(dead, "/ok", Duration.ofSeconds(5))).isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> call(null, "/ok", Duration.ofSeconds(5))).isInstanceOf(ConnectException.class)
                .hasMessageContaining("no ready endpoints");
    }
}
