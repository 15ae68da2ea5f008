package dev.gatehouse.e2e;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A WebSocket through the gateway with the JDK's client; it survives a config reload. */
class WebSocketEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void webSocketIsSplicedAndSurvivesAReload() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                    new WebSocketServerProtocolHandler("/ws"),
                                    new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame f) {
                                            ctx.writeAndFlush(new TextWebSocketFrame("echo: " + f.text()));
                                        }
                                    });
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            int wsPort = ((InetSocketAddress) server.localAddress()).getPort();
            int port = GatewayProcess.freePort();
            Path file = dir.resolve("gateway.yaml");
            String services = Configs.base(port) + Configs.service("ws", wsPort);
            Configs.write(file, services + Configs.route("ws", "one"));
            try (GatewayProcess gateway = GatewayProcess.start(dir, "-Xmx256m")) {
                LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
                WebSocket ws = WebSockets.open(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + port + "/ws"),
                        received);
                ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
                assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo: hello");

                Configs.write(file, services + Configs.route("ws", "two"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!gateway.log().contains("generation 2") && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(gateway.log()).contains("generation 2");
                ws.sendText("after reload", true).get(5, TimeUnit.SECONDS);
                assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo: after reload");
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            }
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
