package dev.gatehouse.proxy.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/** What {@link EpollChannelTrim} gives back of an epoll channel (the production transport), over real sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EpollChannelTrimTest {

    @Test
    void connectionsAcceptedOnOneAddressShareItsObjectAndStillReportIt() throws Exception {
        assumeThat(Epoll.isAvailable()).as("the epoll transport").isTrue();
        assertThat(EpollChannelTrim.available()).as("Netty's fields are where they were").isTrue();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        List<Channel> accepted = new CopyOnWriteArrayList<>();
        try {
            Channel server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .childHandler(new ConnectionDrain().tracking(null, new ChannelInboundHandlerAdapter() {
                        @Override
                        public void handlerAdded(ChannelHandlerContext ctx) {
                            accepted.add(ctx.channel());
                        }

                        @Override
                        public boolean isSharable() {
                            return true;
                        }
                    }))
                    .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            try (Socket a = new Socket(InetAddress.getLoopbackAddress(), port);
                 Socket b = new Socket(InetAddress.getLoopbackAddress(), port)) {
                await().atMost(30, TimeUnit.SECONDS).until(() -> accepted.size() == 2);
                InetSocketAddress first = (InetSocketAddress) accepted.get(0).localAddress();
                assertThat(first.getPort()).isEqualTo(port);
                assertThat(first.getAddress()).isEqualTo(InetAddress.getLoopbackAddress());
                assertThat(accepted.get(1).localAddress()).isSameAs(first);
                // on two event loops: either may be accepted first
                assertThat(List.of(accepted.get(0).remoteAddress(), accepted.get(1).remoteAddress()))
                        .containsExactlyInAnyOrder(a.getLocalSocketAddress(), b.getLocalSocketAddress());
            }
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aConnectionWhoseReadHandlesWereDroppedReadsOnWithNewOnes() throws Exception {
        assumeThat(Epoll.isAvailable()).as("the epoll transport").isTrue();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        StringBuilder read = new StringBuilder();
        try {
            Channel server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf b = (ByteBuf) msg;
                            synchronized (read) {
                                read.append(b.toString(StandardCharsets.US_ASCII));
                            }
                            b.release();
                        }

                        @Override
                        public void channelReadComplete(ChannelHandlerContext ctx) {
                            // as the stand-in does: from a task after the read, not within it
                            ctx.executor().execute(() -> EpollChannelTrim.dropReadHandles(ctx.channel()));
                        }

                        @Override
                        public boolean isSharable() {
                            return true;
                        }
                    })
                    .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                for (String part : List.of("one,", "two,", "three")) {
                    s.getOutputStream().write(part.getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    String expected = part;
                    await().atMost(30, TimeUnit.SECONDS).until(() -> {
                        synchronized (read) {
                            return read.toString().endsWith(expected);
                        }
                    });
                }
            }
            assertThat(read.toString()).isEqualTo("one,two,three");
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
