package dev.gatehouse.edge.relay;

import dev.gatehouse.edge.EdgeOptions;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The PROXY header of a client that has sent nothing by the time its node is connected waits for the client's first
 * bytes and leaves with them; a client that sends nothing (the server speaks first) gets it sent after the hold.
 * Real loopback sockets: a node recording each read, and the relay behind a listener.
 */
class HeldHeaderTest {
    /** v2 header of an IPv4 client: 16 bytes, then 12 of addresses and ports */
    private static final int V2_HEADER = 28;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<byte[]> nodeReads = new CopyOnWriteArrayList<>();
    private final AtomicInteger nodeConnections = new AtomicInteger();

    @AfterEach
    void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Test
    void theHeaderOfAClientSilentAtConnectLeavesWithItsFirstBytesInOneSegment() throws Exception {
        InetSocketAddress edge = edge(Duration.ofMinutes(1));
        try (Socket client = new Socket()) {
            client.connect(edge, 5_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> nodeConnections.get() == 1);
            // time for a header sent at connect to reach the node: none may arrive before the client's bytes
            Thread.sleep(300);
            assertThat(nodeReads).isEmpty();
            OutputStream out = client.getOutputStream();
            out.write("hello".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> received() >= V2_HEADER + 5);
            assertThat(nodeReads.get(0)).hasSize(V2_HEADER + 5);
            assertThat(new String(nodeReads.get(0), V2_HEADER, 5, StandardCharsets.US_ASCII)).isEqualTo("hello");
        }
    }

    @Test
    void aClientThatSendsNothingGetsItsHeaderSentAfterTheHold() throws Exception {
        InetSocketAddress edge = edge(Duration.ofMillis(50));
        try (Socket client = new Socket()) {
            client.connect(edge, 5_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> received() == V2_HEADER);
            assertThat(nodeReads.get(0)[12]).isEqualTo((byte) 0x21); // version 2, PROXY
        }
    }

    private int received() {
        return nodeReads.stream().mapToInt(b -> b.length).sum();
    }

    /** A node recording its reads, and a listener relaying to it with PROXY v2 and this header hold. */
    private InetSocketAddress edge(Duration hold) throws InterruptedException {
        Channel node = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        nodeConnections.incrementAndGet();
                        ctx.fireChannelActive();
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf b = (ByteBuf) msg;
                        nodeReads.add(ByteBufUtil.getBytes(b));
                        b.release();
                    }

                    @Override
                    public boolean isSharable() {
                        return true;
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        RelaySettings settings = OneNodeRelay.settings(node, EdgeOptions.ProxyProtocol.V2, hold);
        Channel listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new NodeRelay(settings, 80, false));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return (InetSocketAddress) listener.localAddress();
    }
}
