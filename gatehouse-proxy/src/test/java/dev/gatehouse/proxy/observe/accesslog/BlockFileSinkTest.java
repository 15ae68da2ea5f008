package dev.gatehouse.proxy.observe.accesslog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static dev.gatehouse.proxy.observe.accesslog.BlockFileSink.BLOCK;
import static org.assertj.core.api.Assertions.assertThat;

class BlockFileSinkTest {
    @TempDir
    Path dir;

    /** A real file, every write recorded as (offset, length). */
    private static final class RecordingChannel implements SeekableByteChannel {
        final FileChannel file;
        final List<long[]> writes = new ArrayList<>();

        RecordingChannel(Path path) throws IOException {
            file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            long at = file.size();
            int n = file.write(src);
            writes.add(new long[] {at, n});
            return n;
        }

        @Override
        public int read(ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public SeekableByteChannel position(long p) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isOpen() {
            return file.isOpen();
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }

    @Test
    void appendsToAnOddSizedFileInBlocksThatEndOnBoundariesAndLosesNoByte() throws IOException {
        Path path = dir.resolve("access.log");
        Files.writeString(path, "x".repeat(1000) + "\n"); // an old log, not block-sized
        RecordingChannel channel = new RecordingChannel(path);
        StringBuilder expected = new StringBuilder(Files.readString(path));
        try (BlockFileSink sink = new BlockFileSink(channel)) {
            for (int i = 0; i < 5_000; i++) { // ~1.1 MB in chunks of uneven size, as the loops hand them over
                String chunk = ("{\"line\":" + i + ",\"pad\":\"" + "p".repeat(ThreadLocalRandom.current().nextInt(400)) + "\"}\n");
                byte[] b = chunk.getBytes(StandardCharsets.US_ASCII);
                sink.write(b, 0, b.length);
                expected.append(chunk);
            }
            // before the flush every write ended on a boundary; the first one got the file back onto it
            assertThat(channel.writes).hasSizeGreaterThan(10);
            assertThat(channel.writes.get(0)).containsExactly(1001, BLOCK - 1001);
            for (long[] w : channel.writes) {
                assertThat((w[0] + w[1]) % BLOCK).as("write at %d of %d bytes", w[0], w[1]).isZero();
                assertThat(w[1]).isLessThanOrEqualTo(BLOCK);
            }
            assertThat(Files.size(path)).isLessThan(expected.length()); // the tail of the last block waits
        }
        assertThat(Files.readString(path)).isEqualTo(expected.toString());
    }

    @Test
    void flushWritesThePartialBlockAndTheNextBlockRealigns() throws IOException {
        Path path = dir.resolve("access.log");
        RecordingChannel channel = new RecordingChannel(path);
        try (BlockFileSink sink = new BlockFileSink(channel)) {
            byte[] small = "{\"a\":1}\n".getBytes(StandardCharsets.US_ASCII);
            sink.write(small, 0, small.length);
            assertThat(channel.writes).isEmpty();
            sink.flush(); // traffic paused: the line goes out at once
            assertThat(Files.readString(path)).isEqualTo("{\"a\":1}\n");

            byte[] big = new byte[BLOCK + 10];
            java.util.Arrays.fill(big, (byte) 'z');
            sink.write(big, 0, big.length);
            assertThat(channel.writes).hasSize(2);
            assertThat(channel.writes.get(1)).containsExactly(small.length, BLOCK - small.length);
        }
        assertThat(Files.size(path)).isEqualTo(8 + BLOCK + 10);
    }

    private static void line(BlockFileSink sink, String text) throws IOException {
        byte[] b = (text + "\n").getBytes(StandardCharsets.US_ASCII);
        sink.write(b, 0, b.length);
    }

    @Test
    void aFileMovedAwayOrDeletedIsReplacedAtTheNextFlush() throws IOException {
        Path path = dir.resolve("access.log");
        Path rotated = dir.resolve("access.log.1");
        try (BlockFileSink sink = BlockFileSink.append(path, 0)) {
            line(sink, "a");
            sink.flush();
            Files.move(path, rotated); // logrotate's "create" mode: rename, then expect a new file
            line(sink, "b");
            sink.flush(); // the move is noticed before the held line goes out
            line(sink, "c");
            sink.flush();
            assertThat(Files.readString(path)).isEqualTo("b\nc\n");
            Files.delete(path);
            line(sink, "d");
            sink.flush();
            line(sink, "e");
        }
        assertThat(Files.readString(rotated)).isEqualTo("a\n");
        assertThat(Files.readString(path)).isEqualTo("d\ne\n");
    }

    @Test
    void aFileLeftInPlaceIsKeptOpen() throws IOException {
        Path path = dir.resolve("access.log");
        try (BlockFileSink sink = BlockFileSink.append(path, 0)) {
            line(sink, "a");
            sink.flush();
            try (FileChannel other = FileChannel.open(path, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
                other.write(ByteBuffer.wrap("x\n".getBytes(StandardCharsets.US_ASCII))); // someone else appends
            }
            line(sink, "b");
            sink.flush();
        }
        assertThat(Files.readString(path)).isEqualTo("a\nx\nb\n");
    }

    @Test
    void realignsFromTheFileSizeWhenSomeoneElseTruncatedTheFile() throws IOException {
        Path path = dir.resolve("access.log");
        RecordingChannel channel = new RecordingChannel(path);
        try (BlockFileSink sink = new BlockFileSink(channel)) {
            byte[] b = new byte[300];
            java.util.Arrays.fill(b, (byte) 'a');
            sink.write(b, 0, b.length);
            sink.flush();
            try (FileChannel rotate = FileChannel.open(path, StandardOpenOption.WRITE)) {
                rotate.truncate(0); // logrotate's copytruncate
            }
            sink.flush(); // nothing held: only realigns
            byte[] big = new byte[BLOCK];
            sink.write(big, 0, big.length);
            assertThat(channel.writes.get(channel.writes.size() - 1)).containsExactly(0, BLOCK);
        }
    }
}
