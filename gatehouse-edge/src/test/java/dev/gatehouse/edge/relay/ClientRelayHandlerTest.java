package dev.gatehouse.edge.relay;

import dev.gatehouse.edge.EdgeOptions;
import dev.gatehouse.proxy.l4.ByteSplice;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Once its node is connected, the client's side of the relay is still the one {@link NodeRelay} handler, which hands
 * every event to its splice (no handler removed and none added per connection), and relays both ways and the
 * client's half-close as a splice of its own did. Real loopback sockets: a node that echoes and answers the end of
 * the client's input.
 */
class ClientRelayHandlerTest {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Test
    void theRelayStaysTheClientsOneHandlerAndRelaysBothWaysAndTheHalfClose() throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        InetSocketAddress edge = edge(accepted);
        try (Socket client = new Socket()) {
            client.connect(edge, 5_000);
            client.setSoTimeout(10_000);
            OutputStream out = client.getOutputStream();
            out.write("ping".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = client.getInputStream();
            assertThat(new String(in.readNBytes(9), StandardCharsets.US_ASCII)).isEqualTo("pong:ping");
            // relayed both ways and still open: the client's pipeline as it is for the rest of the connection
            Channel ch = accepted.get(10, TimeUnit.SECONDS);
            List<String> names = ch.eventLoop().submit(() -> ch.pipeline().names()).get(10, TimeUnit.SECONDS);
            assertThat(names).contains("relay");
            assertThat(ch.eventLoop().submit(() -> ch.pipeline().get(ByteSplice.class)).get(10, TimeUnit.SECONDS))
                    .isNull();
            client.shutdownOutput(); // the node answers the end of the client's input, then closes
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("bye");
        }
    }

    /**
     * A node answering each read with "pong:" and what it read, and its input's end with "bye" before it closes; and
     * a listener relaying to it (PROXY off).
     */
    private InetSocketAddress edge(CompletableFuture<Channel> accepted) throws InterruptedException {
        Channel node = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf b = (ByteBuf) msg;
                                String read = b.toString(StandardCharsets.US_ASCII);
                                b.release();
                                ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(
                                        ("pong:" + read).getBytes(StandardCharsets.US_ASCII)));
                            }

                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (evt instanceof ChannelInputShutdownEvent) {
                                    ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(
                                            "bye".getBytes(StandardCharsets.US_ASCII))).addListener(f -> ctx.close());
                                }
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        RelaySettings settings = OneNodeRelay.settings(node, EdgeOptions.ProxyProtocol.OFF, RelaySettings.HEADER_HOLD);
        Channel listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("relay", new NodeRelay(settings, 80, false));
                        accepted.complete(ch);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return (InetSocketAddress) listener.localAddress();
    }
}
