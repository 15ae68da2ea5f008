package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.ClientTrafficSpec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upload's client reads grow past Netty's default 64 KiB, and each read's body goes upstream as one piece: a
 * quarter of the reads, writes and pipeline trips per GiB of 64 KiB ones (as {@code UpstreamReadSizeTest} for a
 * download's upstream reads).
 */
class ClientReadSizeTest {
    private static final int READ = 256 * 1024;

    @Test
    void clientReadsGrowTo256KiBAndKeepSixteenReadsPerWakeUp() {
        RecvByteBufAllocator allocator = GatewayServer.CLIENT_READS;
        // a new allocator instance reads ONE message per wake-up unless told otherwise
        assertThat(((MaxMessagesRecvByteBufAllocator) allocator).maxMessagesPerRead()).isEqualTo(16);
        EmbeddedChannel ch = new EmbeddedChannel();
        DefaultChannelConfig config = (DefaultChannelConfig) ch.config();
        RecvByteBufAllocator.Handle reads = allocator.newHandle();
        reads.reset(config);
        int first = reads.guess();
        for (int batch = 0; batch < 8; batch++) { // reads that fill their buffer, as an upload's do
            reads.reset(config);
            int guess = reads.guess();
            reads.attemptedBytesRead(guess);
            reads.lastBytesRead(guess);
            reads.incMessagesRead(1);
            reads.readComplete();
        }
        assertThat(first).isLessThanOrEqualTo(2048); // a small request keeps a small buffer
        assertThat(reads.guess()).isEqualTo(READ);
        ch.finishAndReleaseAll();
    }

    @Test
    void aBodyReadOf256KiBGoesUpAsOnePiece() {
        EmbeddedChannel ch = new EmbeddedChannel(PortLimits.of(ClientTrafficSpec.DEFAULTS, null).http1().newCodec());
        ByteBuf head = Unpooled.copiedBuffer("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: " + 2 * READ + "\r\n\r\n",
                StandardCharsets.ISO_8859_1);
        ch.writeInbound(head);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[READ]));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[READ]));
        List<String> pieces = new ArrayList<>();
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            if (msg instanceof HttpRequest) {
                pieces.add("head");
            } else if (msg instanceof HttpContent c) {
                pieces.add((c instanceof LastHttpContent ? "last " : "body ") + c.content().readableBytes());
            }
            ReferenceCountUtil.release(msg);
        }
        // before: four pieces of 64 KiB per read, each its own write to the upstream
        assertThat(pieces).containsExactly("head", "body " + READ, "last " + READ);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
