package dev.gatehouse.proxy.l4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Back-pressure of the relay: a side stops reading while its peer cannot take more, and reads again after. */
class ByteSpliceTest {
    @Test
    void aSideStopsReadingWhileItsPeerIsUnwritableAndResumesWhenItDrains() {
        EmbeddedChannel backend = new EmbeddedChannel();
        backend.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        EmbeddedChannel client = new EmbeddedChannel(ByteSplice.to(backend));
        backend.pipeline().addLast(ByteSplice.to(client));
        assertThat(client.config().isAutoRead()).isTrue();

        // more than the peer's high watermark, not flushed yet: the client must stop reading
        client.pipeline().fireChannelRead(Unpooled.copiedBuffer("0123456789abcdefghijklmnop", StandardCharsets.US_ASCII));
        assertThat(backend.isWritable()).isFalse();
        assertThat(client.config().isAutoRead()).isFalse();

        // the read batch ends: the peer is flushed, drains, and the client reads again
        client.pipeline().fireChannelReadComplete();
        assertThat(backend.isWritable()).isTrue();
        assertThat(client.config().isAutoRead()).isTrue();
        ByteBuf relayed = backend.readOutbound();
        assertThat(relayed.toString(StandardCharsets.US_ASCII)).isEqualTo("0123456789abcdefghijklmnop");
        relayed.release();

        // and the other way round
        backend.writeInbound(Unpooled.copiedBuffer("pong", StandardCharsets.US_ASCII));
        ByteBuf back = client.readOutbound();
        assertThat(back.toString(StandardCharsets.US_ASCII)).isEqualTo("pong");
        back.release();
        client.finishAndReleaseAll();
        backend.finishAndReleaseAll();
    }

    @Test
    void closingOneSideClosesTheOther() {
        EmbeddedChannel backend = new EmbeddedChannel();
        EmbeddedChannel client = new EmbeddedChannel(ByteSplice.to(backend));
        backend.pipeline().addLast(ByteSplice.to(client));
        client.close();
        backend.runPendingTasks();
        assertThat(backend.isActive()).isFalse();
    }
}
