package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.http.ConnectionTimeoutHandler;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Http2HeaderBlockWatch} follows the frame boundaries whatever the read sizes: a frame header split over
 * reads, payloads that look like frame headers, the preface.
 */
class Http2HeaderBlockWatchTest {
    private static final int HEADERS = 0x1;
    private static final int DATA = 0x0;
    private static final int SETTINGS = 0x4;
    private static final int CONTINUATION = 0x9;
    private static final int END_HEADERS = 0x4;

    @Test
    void followsHeaderBlocksAcrossAnySplit() {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        List<int[]> checkpoints = new ArrayList<>(); // {offset after a frame, expected pending 0/1}
        wire.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        frame(wire, SETTINGS, 0, 0, new byte[0]);
        checkpoints.add(new int[] {wire.size(), 0});
        frame(wire, HEADERS, END_HEADERS, 1, new byte[10]);
        checkpoints.add(new int[] {wire.size(), 0});
        // a DATA payload full of bytes that would read as "HEADERS without END_HEADERS" frame headers
        byte[] decoy = new byte[300];
        Arrays.fill(decoy, (byte) HEADERS);
        frame(wire, DATA, 0, 1, decoy);
        checkpoints.add(new int[] {wire.size(), 0});
        frame(wire, HEADERS, 0, 3, new byte[5]);
        checkpoints.add(new int[] {wire.size(), 1});
        frame(wire, CONTINUATION, 0, 3, new byte[7]);
        checkpoints.add(new int[] {wire.size(), 1});
        frame(wire, CONTINUATION, END_HEADERS, 3, new byte[3]);
        checkpoints.add(new int[] {wire.size(), 0});
        frame(wire, HEADERS, 0, 5, new byte[0]);
        checkpoints.add(new int[] {wire.size(), 1});
        byte[] bytes = wire.toByteArray();

        for (int split = 1; split <= 40; split++) {
            Http2StreamCount streams = new Http2StreamCount(new ConnectionTimeoutHandler(null, null));
            EmbeddedChannel ch = new EmbeddedChannel(new Http2HeaderBlockWatch(streams));
            int next = 0;
            for (int at = 0; at < bytes.length; at += split) {
                int end = Math.min(bytes.length, at + split);
                ch.writeInbound(Unpooled.wrappedBuffer(bytes, at, end - at));
                while (next < checkpoints.size() && checkpoints.get(next)[0] <= end) {
                    // only checkable when this read ended exactly after the frame, or the next frame's flags
                    // byte was not reached yet
                    int[] cp = checkpoints.get(next);
                    if (end - cp[0] < 5) {
                        assertThat(streams.headerBlockPending()).as("split %d, after offset %d", split, cp[0])
                                .isEqualTo(cp[1] == 1);
                    }
                    next++;
                }
            }
            assertThat(streams.headerBlockPending()).as("split %d at the end", split).isTrue();
            ch.finishAndReleaseAll();
        }
    }

    private static void frame(ByteArrayOutputStream out, int type, int flags, int stream, byte[] payload) {
        out.write(payload.length >>> 16);
        out.write(payload.length >>> 8);
        out.write(payload.length);
        out.write(type);
        out.write(flags);
        out.write(stream >>> 24 & 0x7f);
        out.write(stream >>> 16);
        out.write(stream >>> 8);
        out.write(stream);
        out.writeBytes(payload);
    }
}
