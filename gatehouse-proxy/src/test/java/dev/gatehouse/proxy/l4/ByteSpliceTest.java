package dev.gatehouse.proxy.l4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DuplexChannel;
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

    /** A channel whose sender has half-closed: its input is shut, so there is nothing left to read on it. */
    private static final class InputShutChannel extends EmbeddedChannel implements DuplexChannel {
        @Override
        public boolean isInputShutdown() {
            return true;
        }

        @Override
        public boolean isOutputShutdown() {
            return false;
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public ChannelFuture shutdownInput() {
            return newSucceededFuture();
        }

        @Override
        public ChannelFuture shutdownInput(ChannelPromise promise) {
            return promise.setSuccess();
        }

        @Override
        public ChannelFuture shutdownOutput() {
            return newSucceededFuture();
        }

        @Override
        public ChannelFuture shutdownOutput(ChannelPromise promise) {
            return promise.setSuccess();
        }

        @Override
        public ChannelFuture shutdown() {
            return newSucceededFuture();
        }

        @Override
        public ChannelFuture shutdown(ChannelPromise promise) {
            return promise.setSuccess();
        }
    }

    /**
     * The side that drains does not turn reading back on for a peer whose input is shut (an upload that ended with
     * the client's FIN while its node pushed back): that read finds nothing, and on epoll cost two epoll_ctl calls
     * and a wake-up.
     */
    @Test
    void aPeerWhoseInputIsShutIsNotReadAgainWhenThisSideDrains() {
        InputShutChannel client = new InputShutChannel();
        client.config().setAutoRead(false);
        EmbeddedChannel backend = new EmbeddedChannel(ByteSplice.to(client));
        backend.pipeline().fireChannelWritabilityChanged();
        assertThat(client.config().isAutoRead()).isFalse();
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

    /** What was written to the peer still leaves before it closes; with nothing queued, no empty write goes first. */
    @Test
    void closingOneSideFlushesThePeerAndClosesItWithoutAnEmptyWrite() {
        EmbeddedChannel backend = new EmbeddedChannel();
        EmbeddedChannel client = new EmbeddedChannel(ByteSplice.to(backend));
        backend.pipeline().addLast(ByteSplice.to(client));
        backend.write(Unpooled.copiedBuffer("last", StandardCharsets.US_ASCII));
        client.close();
        backend.runPendingTasks();
        assertThat(backend.isActive()).isFalse();
        ByteBuf last = backend.readOutbound();
        assertThat(last.toString(StandardCharsets.US_ASCII)).isEqualTo("last");
        last.release();
        assertThat((Object) backend.readOutbound()).isNull();
    }
}
