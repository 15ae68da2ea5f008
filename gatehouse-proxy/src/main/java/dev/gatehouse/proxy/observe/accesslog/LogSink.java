package dev.gatehouse.proxy.observe.accesslog;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;

/** Where the access-log writer puts chunks of lines. Used by the writer thread only. */
interface LogSink extends Closeable {
    /** May hold bytes back (a file's partial block) until {@link #flush}. */
    void write(byte[] bytes, int offset, int length) throws IOException;

    /** Whatever is held back goes out now. */
    void flush() throws IOException;

    /** A stream, flushed when the writer has nothing else to do: standard output. */
    static LogSink of(OutputStream out, boolean closeOut) {
        return new LogSink() {
            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                out.write(bytes, offset, length);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                flush();
                if (closeOut) {
                    out.close();
                }
            }
        };
    }
}
