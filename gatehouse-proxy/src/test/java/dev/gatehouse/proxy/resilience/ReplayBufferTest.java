package dev.gatehouse.proxy.resilience;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The retry copy of a request body (under the paranoid leak detector): the written originals are consumed while
 * the copies keep the bytes for every replay, each held content is released once, and a body past the bound is let
 * go at once and stops being replayable.
 */
class ReplayBufferTest {
    private static HttpContent content(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    private static String drain(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        HttpContent c;
        while ((c = ch.readOutbound()) != null) {
            sb.append(c.content().toString(StandardCharsets.UTF_8));
            if (c instanceof LastHttpContent) {
                sb.append('|');
            }
            c.release();
        }
        return sb.toString();
    }

    @Test
    void heldBodyIsReplayedWholeAsOftenAsNeededAndReleasedOnce() {
        ReplayBuffer buffer = new ReplayBuffer();
        EmbeddedChannel first = new EmbeddedChannel();
        HttpContent one = content("hello ");
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.copiedBuffer("world", StandardCharsets.UTF_8));
        buffer.add(one);
        first.writeOutbound(one); // the original goes upstream and is consumed there
        buffer.add(last);
        first.writeOutbound(last);
        assertThat(drain(first)).isEqualTo("hello world|");

        for (int i = 0; i < 2; i++) {
            EmbeddedChannel retry = new EmbeddedChannel();
            assertThat(buffer.replay(retry)).as("the last content was held").isTrue();
            retry.flush();
            assertThat(drain(retry)).isEqualTo("hello world|");
            retry.finishAndReleaseAll();
        }
        assertThat(buffer.complete()).isTrue();
        buffer.release();
        buffer.release(); // a second release does nothing
        assertThat(buffer.complete()).isFalse();
        assertThat(one.refCnt()).isZero();
        first.finishAndReleaseAll();
    }

    @Test
    void aBodyPastTheBoundIsLetGoAndNotReplayable() {
        ReplayBuffer buffer = new ReplayBuffer();
        HttpContent small = content("x");
        buffer.add(small);
        ByteBuf big = Unpooled.buffer(ReplayBuffer.MAX_BYTES).writeZero(ReplayBuffer.MAX_BYTES);
        HttpContent large = new DefaultHttpContent(big);
        buffer.add(large);
        assertThat(buffer.complete()).isFalse();
        assertThat(buffer.overflowed()).isTrue();
        HttpContent after = content("y");
        buffer.add(after); // ignored
        small.release();
        large.release();
        after.release();
        assertThat(small.refCnt()).as("the copy was released with the overflow").isZero();
        assertThat(large.refCnt()).isZero();
    }
}
