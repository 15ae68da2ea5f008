package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.http.ProxyContext;
import dev.gatehouse.proxy.testing.RawH2Client;
import dev.gatehouse.proxy.testing.TestRouting;
import dev.gatehouse.proxy.testing.TestRouting.TestCluster;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import dev.gatehouse.proxy.upstream.UpstreamPools;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.runtime.SnapshotHolder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a proxied response reaches the client's socket: a small answer whose head and end the upstream sent in one
 * read leaves as one buffer (head and body encoded together), and a head whose body comes later still leaves at
 * the end of its read batch, before the body; on an h2 stream the answer leaves as HEADERS and DATA from one write
 * (HEADERS alone when it is empty) and the request id does not enter the HPACK table. Real sockets: a client, the
 * HTTP/1.1 frontend and a scripted origin; a handler at the socket end of the frontend's pipeline counts the
 * buffers written.
 */
@Timeout(60)
class SmallResponseWriteTest {
    /** Head and body in one write: the proxy reads them in one piece. */
    private static final Answer SMALL_ANSWER =
            answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello");
    private EventLoopGroup group;
    private Channel server;
    private ServerSocket origin;
    private Thread originThread;
    private final AtomicInteger buffersWritten = new AtomicInteger();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (group != null) {
            // closes the upstream connection too, which ends the origin's last read
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (origin != null) {
            origin.close();
        }
        if (originThread != null) {
            originThread.join(10_000);
        }
    }

    @Test
    void aSmallAnswerReadInOnePieceLeavesAsOneBuffer() throws Exception {
        startOrigin(SMALL_ANSWER, 2);
        int port = startFrontend();
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(20_000);
            for (int i = 1; i <= 2; i++) {
                client.getOutputStream().write("GET /small HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                String response = readResponse(client.getInputStream(), 5, null);
                assertThat(response).startsWith("HTTP/1.1 200 OK").contains("x-request-id: ").endsWith("\r\n\r\nhello");
                assertThat(buffersWritten.get()).as("buffers written for %d responses", i).isEqualTo(i);
            }
        }
    }

    /**
     * A small answer the upstream codec keeps in wire form (RawResponse): the client gets the upstream's lines in
     * their order without the hop-by-hop ones, the upstream's request id replaced by the gateway's and, on the
     * request that asked for it, Connection: close; the pooled connection serves the next request.
     */
    @Test
    void aPlainAnswerIsRelayedAsItsBytesWithTheRewrites() throws Exception {
        startOrigin(answer("HTTP/1.1 200 OK\r\nServer: origin\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n"
                + "X-Request-Id: upstream\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"), 2);
        int port = startFrontend();
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(20_000);
            for (String connection : new String[] {"", "Connection: close\r\n"}) {
                client.getOutputStream().write(("GET /plain HTTP/1.1\r\nHost: a\r\n" + connection + "\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                String response = readResponse(client.getInputStream(), 5, null);
                assertThat(response).matches("HTTP/1\\.1 200 OK\r\nServer: origin\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: 5\r\n" + (connection.isEmpty() ? "" : "connection: close\r\n")
                        + "x-request-id: [0-9a-f]{32}\r\n\r\nhello");
            }
            assertThat(client.getInputStream().read()).as("closed after the answer to Connection: close").isEqualTo(-1);
        }
        assertThat(buffersWritten.get()).isEqualTo(2);
    }

    @Test
    void aHeadWhoseBodyComesLaterIsNotHeldBack() throws Exception {
        CountDownLatch headSeen = new CountDownLatch(1);
        startOrigin(out -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // the body only once the client has the head: a head held until the body came would never arrive
            boolean seen = headSeen.await(20, TimeUnit.SECONDS);
            out.write((seen ? "later" : "never").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }, 1);
        int port = startFrontend();
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(30_000);
            client.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String response = readResponse(client.getInputStream(), 5, headSeen);
            assertThat(response).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\nlater");
        }
    }

    @Test
    void anH2StreamGetsItsSmallAnswerAsHeadersAndDataAndAnEmptyOneAsHeadersAlone() throws Exception {
        AtomicInteger answered = new AtomicInteger();
        startOrigin(out -> {
            (answered.getAndIncrement() == 0 ? SMALL_ANSWER : answer("HTTP/1.1 204 No Content\r\n\r\n")).write(out);
        }, 2);
        int port = startFrontend();
        try (RawH2Client c = new RawH2Client(new InetSocketAddress("127.0.0.1", port))) {
            c.headers(1, RawH2Client.request("GET", "/small"), true);
            awaitEnd(c, 1);
            c.headers(3, RawH2Client.request("GET", "/empty"), true);
            awaitEnd(c, 3);
            assertThat(c.streamFrames).as("frames: stream type flags").containsExactly(
                    "1 1 " + RawH2Client.END_HEADERS, "1 0 " + RawH2Client.END_STREAM,
                    // one write of the whole answer: no empty DATA frame to end the stream
                    "3 1 " + (RawH2Client.END_HEADERS | RawH2Client.END_STREAM));
            assertThat(c.statuses).containsEntry(1, "200").containsEntry(3, "204");
        }
    }

    @Test
    void anH2ResponsesRequestIdIsNeverIndexedSoItDoesNotChurnTheHpackTable() throws Exception {
        startOrigin(SMALL_ANSWER, 2);
        int port = startFrontend();
        try (RawH2Client c = new RawH2Client(new InetSocketAddress("127.0.0.1", port))) {
            for (int stream = 1; stream <= 3; stream += 2) {
                c.headers(stream, RawH2Client.request("GET", "/small"), true);
                awaitEnd(c, stream);
            }
            assertThat(c.headers.get(1).get("x-request-id")).isNotNull();
            assertThat(c.headers.get(3).get("x-request-id")).isNotNull().isNotEqualTo(c.headers.get(1).get("x-request-id"));
            // the second answer repeats the first one's headers from the dynamic table and adds nothing to it:
            // its only literal is the request id, never indexed (RFC 7541 6.2.3)
            assertThat(representations(c.headerBlocks.get(3))).containsOnly("indexed", "never-indexed")
                    .containsOnlyOnce("never-indexed");
        }
    }

    private static void awaitEnd(RawH2Client c, int stream) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> c.streamFrames.stream()
                .anyMatch(f -> f.startsWith(stream + " ") && (Integer.parseInt(f.split(" ")[2]) & RawH2Client.END_STREAM) != 0));
    }

    /** The kinds of the header field representations in an HPACK block (RFC 7541 6), in order. */
    private static List<String> representations(byte[] block) {
        List<String> kinds = new java.util.ArrayList<>();
        int[] at = {0};
        while (at[0] < block.length) {
            int b = block[at[0]] & 0xff;
            if ((b & 0x80) != 0) {
                kinds.add("indexed");
                integer(block, at, 7);
            } else if ((b & 0xe0) == 0x20) {
                kinds.add("table-size-update");
                integer(block, at, 5);
            } else {
                int prefix = (b & 0x40) != 0 ? 6 : 4;
                kinds.add((b & 0x40) != 0 ? "incremental" : (b & 0x10) != 0 ? "never-indexed" : "not-indexed");
                if (integer(block, at, prefix) == 0) {
                    at[0] += integer(block, at, 7); // the name, a string literal
                }
                at[0] += integer(block, at, 7); // the value
            }
        }
        return kinds;
    }

    /** An HPACK integer with an N-bit prefix at {@code at[0]} (RFC 7541 5.1); moves {@code at[0]} past it. */
    private static int integer(byte[] block, int[] at, int prefixBits) {
        int max = (1 << prefixBits) - 1;
        int value = block[at[0]++] & max;
        if (value < max) {
            return value;
        }
        int shift = 0;
        int b;
        do {
            b = block[at[0]++] & 0xff;
            value += (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return value;
    }

    interface Answer {
        void write(OutputStream out) throws Exception;
    }

    /** The same bytes, written at once, to every request. */
    private static Answer answer(String response) {
        return out -> {
            out.write(response.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        };
    }

    /** An origin that answers {@code requests} requests on one keep-alive connection, each with {@code answer}. */
    private void startOrigin(Answer answer, int requests) throws IOException {
        origin = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        originThread = new Thread(() -> {
            try (Socket s = origin.accept()) {
                s.setSoTimeout(30_000);
                InputStream in = s.getInputStream();
                for (int i = 0; i < requests; i++) {
                    readHead(in);
                    answer.write(s.getOutputStream());
                }
                s.getInputStream().read(); // until the proxy lets the connection go, or the test ends
            } catch (Exception e) {
                // the test closed the origin
            }
        }, "origin");
        originThread.start();
    }

    private int startFrontend() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        int port = ProxyIntegrationTest.freePort();
        TestCluster cluster = new TestCluster("default/origin:80",
                List.of(new InetSocketAddress("127.0.0.1", origin.getLocalPort())));
        TestRouter router = new TestRouter().pathPrefix("/", TestRoute.to(cluster));
        SnapshotHolder holder = new SnapshotHolder(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(port, router)));
        ProxyContext context = new ProxyContext(holder, new UpstreamPools(group, NioSocketChannel.class, Duration.ofSeconds(5)));
        FrontendInitializer frontend = new FrontendInitializer(context, GatewayServerTest.options());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
                            @Override
                            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                                if (msg instanceof ByteBuf b && b.isReadable()) {
                                    buffersWritten.incrementAndGet();
                                }
                                ctx.write(msg, promise);
                            }
                        }, frontend);
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
        return port;
    }

    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed");
            }
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
    }

    /** Head and a body of {@code bodyLength} bytes; counts {@code headSeen} down once the head is in. */
    private static String readResponse(InputStream in, int bodyLength, CountDownLatch headSeen) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            assertThat(b).as("response so far: %s", got).isNotNegative();
            got.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        if (headSeen != null) {
            headSeen.countDown();
        }
        for (int i = 0; i < bodyLength; i++) {
            int b = in.read();
            assertThat(b).as("body so far: %s", got).isNotNegative();
            got.write(b);
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }
}
