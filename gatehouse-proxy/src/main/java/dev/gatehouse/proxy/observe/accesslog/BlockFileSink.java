package dev.gatehouse.proxy.observe.accesslog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends to a file in whole blocks that end on a {@link #BLOCK}-byte boundary of the file. A write that
 * starts or ends inside a page costs the kernel a partial-page path (zeroing, a block lookup) on top of the
 * copy: appending 64 KiB blocks into the page cache runs 2-3 times faster than appending 32,000-byte ones
 * (dd on ext4). While lines keep coming every write is a whole aligned block; what is left when traffic
 * pauses is written as it is, and the next block is cut short to get back onto the boundary.
 */
final class BlockFileSink implements LogSink {
    static final int BLOCK = 64 * 1024;
    private final SeekableByteChannel file;
    /** Direct, so the channel writes from it without a copy into a temporary native buffer. */
    private final ByteBuffer block = ByteBuffer.allocateDirect(BLOCK);
    /** The file offset {@link #block}'s first byte will land at. */
    private long end;

    /** @param file opened for appending */
    BlockFileSink(SeekableByteChannel file) throws IOException {
        this.file = file;
        this.end = file.size();
    }

    static BlockFileSink append(Path path) throws IOException {
        return new BlockFileSink(FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE));
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        while (length > 0) {
            int room = BLOCK - (int) (end % BLOCK) - block.position(); // up to the next boundary
            int n = Math.min(room, length);
            block.put(bytes, offset, n);
            offset += n;
            length -= n;
            if (n == room) {
                writeBlock();
            }
        }
    }

    @Override
    public void flush() throws IOException {
        if (block.position() > 0) {
            writeBlock();
        }
        // the file may have been truncated or appended to by someone else (log rotation): realign from its size
        end = file.size();
    }

    /** The block goes out whole, or its bytes are lost (the caller logs the failure); never written twice. */
    private void writeBlock() throws IOException {
        block.flip();
        try {
            while (block.hasRemaining()) {
                end += file.write(block);
            }
        } finally {
            block.clear();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            file.close();
        }
    }
}
