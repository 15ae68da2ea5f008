package dev.gatehouse.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A download's upstream reads grow past Netty's default 64 KiB, and each read's body goes on as one piece: a quarter
 * of the reads, writes and pipeline trips per GiB of 64 KiB ones.
 */
class UpstreamReadSizeTest {

    @Test
    void http1UpstreamReadsGrowTo256KiBAndKeepSixteenReadsPerWakeUp() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (ServerSocket origin = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            UpstreamPool pool = new UpstreamPool(group.next(), NioSocketChannel.class, Duration.ofSeconds(5),
                    Duration.ofSeconds(30));
            Channel ch = pool.connect(UpstreamKey.http1(
                    new InetSocketAddress("127.0.0.1", origin.getLocalPort())), 0).sync().channel();
            try {
                RecvByteBufAllocator allocator = ch.config().getRecvByteBufAllocator();
                // a new allocator instance reads ONE message per wake-up unless told otherwise
                assertThat(((MaxMessagesRecvByteBufAllocator) allocator).maxMessagesPerRead()).isEqualTo(16);
                RecvByteBufAllocator.Handle reads = allocator.newHandle();
                int guess = 0;
                for (int batch = 0; batch < 8; batch++) { // reads that fill their buffer, as a download's do
                    reads.reset(ch.config());
                    guess = reads.guess();
                    reads.attemptedBytesRead(guess);
                    reads.lastBytesRead(guess);
                    reads.incMessagesRead(1);
                    reads.readComplete();
                }
                assertThat(reads.guess()).isEqualTo(256 * 1024);
            } finally {
                ch.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aBodyReadOf256KiBIsDecodedAsOnePiece() {
        EmbeddedChannel ch = new EmbeddedChannel(UpstreamPool.newClientCodec());
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/big"));
        ReferenceCountUtil.release(ch.readOutbound());
        int read = 256 * 1024;
        ByteBuf head = Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: " + 2 * read + "\r\n\r\n",
                StandardCharsets.ISO_8859_1);
        ch.writeInbound(head);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[read]));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[read]));
        List<String> pieces = new ArrayList<>();
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            if (msg instanceof HttpResponse) {
                pieces.add("head");
            } else if (msg instanceof HttpContent c) {
                pieces.add((c instanceof LastHttpContent ? "last " : "body ") + c.content().readableBytes());
            }
            ReferenceCountUtil.release(msg);
        }
        // before: four pieces of 64 KiB per read, each its own write to the client
        assertThat(pieces).containsExactly("head", "body " + read, "last " + read);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
