package dev.gatehouse.proxy.observe.accesslog;

import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.L4Log;
import dev.gatehouse.proxy.observe.RequestLog;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.ThreadExecutorMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * JSON-lines access log, formatted where the request completed and written by one thread (the model of Envoy
 * and nginx). {@link #onComplete} runs on the request's event loop: a sampling draw, then the line is formatted
 * straight into that loop's chunk while the request's strings are still in the core's cache; a chunk goes to
 * the writer when it holds {@link #CHUNK_BYTES}, or {@link #FLUSH_MILLIS} after its first line on a quiet
 * loop. No object per line, no queue operation per line. The writer only writes (to a file in whole aligned
 * blocks, {@link BlockFileSink}).
 *
 * <p>What waits for the writer is bounded in bytes: a chunk that would pass the budget (a slow disk) is
 * dropped and its lines counted in {@link #dropped()}; requests never wait for the log. Lines from one loop
 * stay in order; lines from different loops interleave by chunk.
 */
public final class AccessLog implements ExchangeObserver, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    /** Bytes waiting for the writer, at most: ~8k lines of ~450 bytes, a few seconds of a slow disk. */
    public static final int DEFAULT_BUDGET_BYTES = 4 * 1024 * 1024;
    /** A chunk is handed over once it holds this much: ~70 lines. */
    static final int CHUNK_BYTES = 32 * 1024;
    /** How long a line may wait in a quiet loop's chunk. */
    static final long FLUSH_MILLIS = 20;
    private static final long IDLE_NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /**
     * How long lines given to the sink may be held back there (a file's partial block) while traffic is
     * steady; when it pauses for a nap they go at once.
     */
    static final long MAX_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Emptied chunks kept for reuse: enough for the chunks in flight at a few loops' full rate. */
    private static final int POOL = 64;

    private final Set<AccessLogField> fields;
    private final double sample;
    private final long budget;
    private final LogSink sink;
    /** Chunks waiting for the writer, in hand-over order; bounded by {@link #queuedBytes} against the budget. */
    private final Queue<Chunk> full = PlatformDependent.newMpscQueue();
    private final Queue<Chunk> free = PlatformDependent.newFixedMpmcQueue(POOL);
    private final AtomicLong queuedBytes = new AtomicLong();
    private final LongAdder dropped = new LongAdder();
    /** Every event loop's lines, so {@link #close} can flush them. */
    private final Queue<Lines> loops = new ConcurrentLinkedQueue<>();
    private final FastThreadLocal<Lines> perThread = new FastThreadLocal<>() {
        @Override
        protected Lines initialValue() {
            EventExecutor loop = ThreadExecutorMap.currentExecutor();
            if (loop == null) {
                return null; // not an event loop: onComplete takes the synchronized path
            }
            Lines l = new Lines(loop);
            loops.add(l);
            return l;
        }
    };
    /**
     * Lines from threads that are not event loops (tests, tools), added under its lock; having no loop timer,
     * they are handed over by the writer when it is idle.
     */
    private final Lines foreign;
    private final Thread writer;
    /** Set first by {@link #close}: lines completed after it are dropped and counted. */
    private volatile boolean closing;
    /** Cleared once every loop has handed its last chunk over: the writer then drains and stops. */
    private volatile boolean running = true;
    /**
     * Writer thread only: a write failed and no flush has succeeded since. A full or failing disk fails every
     * chunk, so it is said once when it starts and once when a flush (which always reaches the file) succeeds.
     */
    private boolean failing;

    private AccessLog(LogSink sink, Set<AccessLogField> fields, double sample, long budget) {
        checkSample(sample);
        this.fields = Set.copyOf(fields);
        this.sample = sample;
        this.budget = budget;
        this.sink = sink;
        this.foreign = new Lines(null);
        this.writer = new Thread(this::writeLoop, "gatehouse-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    private static void checkSample(double sample) {
        if (!(sample >= 0 && sample <= 1)) {
            throw new IllegalArgumentException("access log sample must be within 0.0..1.0, got " + sample);
        }
    }

    /** Lines to {@code sink} (tests: a sink that fails on demand). */
    static AccessLog toSink(LogSink sink, Set<AccessLogField> fields) {
        return new AccessLog(sink, fields, 1.0, DEFAULT_BUDGET_BYTES);
    }

    /** Lines to standard output (not closed by {@link #close}). */
    public static AccessLog toStdout(Set<AccessLogField> fields, double sample) {
        return new AccessLog(LogSink.of(System.out, false), fields, sample, DEFAULT_BUDGET_BYTES);
    }

    /** Lines appended to {@code file} (created with its parent directories when missing). */
    public static AccessLog toFile(Path file, Set<AccessLogField> fields, double sample) throws IOException {
        return toFile(file, fields, sample, DEFAULT_BUDGET_BYTES);
    }

    /** @param budgetBytes at most this many bytes of lines wait for the writer; past it chunks are dropped */
    public static AccessLog toFile(Path file, Set<AccessLogField> fields, double sample, long budgetBytes) throws IOException {
        checkSample(sample);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new AccessLog(BlockFileSink.append(file), fields, sample, budgetBytes);
    }

    /** Lines dropped because the writer fell behind by more than the budget, since start. */
    public long dropped() {
        return dropped.sum();
    }

    @Override
    public void onComplete(RequestLog log) {
        if (sample < 1.0 && log.status() < 500 && ThreadLocalRandom.current().nextDouble() >= sample) {
            return;
        }
        Lines l = perThread.get();
        if (l != null) {
            l.add(log);
            return;
        }
        synchronized (foreign) {
            foreign.add(log);
        }
    }

    /** One line per L4 connection or UDP session; sampled as requests are, those that failed always kept. */
    @Override
    public void l4Closed(L4Log log) {
        if (sample < 1.0 && log.closeReason() != L4Log.CloseReason.BACKEND_UNREACHABLE
                && log.closeReason() != L4Log.CloseReason.ERROR && ThreadLocalRandom.current().nextDouble() >= sample) {
            return;
        }
        Lines l = perThread.get();
        if (l != null) {
            l.add(log);
            return;
        }
        synchronized (foreign) {
            foreign.add(log);
        }
    }

    /** The writer, idle: lines from other threads are handed over. */
    private void takeForeignLines() {
        synchronized (foreign) {
            foreign.flush();
        }
    }

    private Chunk takeChunk() {
        Chunk c = free.poll();
        return c != null ? c : new Chunk();
    }

    private void recycle(Chunk c) {
        c.clear();
        free.offer(c); // a full pool lets it go
    }

    /** Gives a chunk to the writer, or drops its lines when the writer is too far behind. */
    private void handOver(Chunk c) {
        int size = c.bytes.size();
        if (queuedBytes.addAndGet(size) > budget) {
            queuedBytes.addAndGet(-size);
            dropped.add(c.lines);
            recycle(c);
            return;
        }
        full.offer(c);
    }

    /**
     * Writes chunks as they come and naps when there are none, rather than blocking: a writer waiting on a
     * condition would be woken by every hand-over (a futex call and a context switch on a busy core); napping
     * costs at most 100 wake-ups a second and delays a line by as much. What the sink holds back goes out
     * after a nap that brought nothing new, or once it has waited {@link #MAX_HOLD_NANOS}.
     */
    private void writeLoop() {
        boolean napped = false;
        long unflushedSince = 0; // when the first chunk since the sink's last flush was written; 0: none
        while (true) {
            Chunk c = full.poll();
            if (c == null) {
                takeForeignLines();
                c = full.poll();
            }
            if (c == null) {
                if (!running) {
                    break;
                }
                if (unflushedSince != 0 && (napped || System.nanoTime() - unflushedSince > MAX_HOLD_NANOS)) {
                    flushSink();
                    unflushedSince = 0;
                }
                LockSupport.parkNanos(IDLE_NAP_NANOS);
                napped = true;
                continue;
            }
            napped = false;
            if (unflushedSince == 0) {
                unflushedSince = System.nanoTime() | 1;
            }
            int size = c.bytes.size();
            try {
                c.bytes.writeTo(sink);
            } catch (IOException | RuntimeException e) {
                writeFailed(e);
            } finally {
                queuedBytes.addAndGet(-size);
                recycle(c);
            }
        }
        try {
            sink.close(); // what it held back, then the file (standard output stays open)
        } catch (IOException | RuntimeException e) {
            LOG.warn("access log close failed: {}", e.toString());
        }
    }

    private void flushSink() {
        try {
            sink.flush();
            if (failing) {
                failing = false;
                LOG.info("access log writes succeed again");
            }
        } catch (IOException | RuntimeException e) {
            writeFailed(e);
        }
    }

    private void writeFailed(Exception e) {
        if (!failing) {
            failing = true;
            LOG.warn("access log write failed: {}; lines are lost until a write succeeds again (said once)",
                    e.toString());
        }
    }

    /**
     * Flushes every loop's chunk (on its loop, or directly when the loop has stopped), writes what is queued,
     * then stops the writer. Lines completed after this are dropped.
     */
    @Override
    public void close() {
        synchronized (foreign) {
            closing = true;
        }
        // a loop runs the flush after any line it is adding, and adds none after it (closing is set)
        for (Lines l : loops) {
            l.flushFromOutside();
        }
        running = false;
        try {
            writer.join(2000); // it closes the sink last: a disk slower than that keeps it, not the caller
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Chunk {
        final JsonLineBuffer bytes = new JsonLineBuffer(CHUNK_BYTES + 2048);
        int lines;

        void clear() {
            bytes.clear();
            lines = 0;
        }
    }

    /**
     * One event loop's chunk and formatter, touched only on that loop (or after it stopped); or, without a
     * loop, the one for every other thread, touched under its lock.
     */
    private final class Lines implements Runnable {
        private final EventExecutor loop;
        private final AccessLogFormatter formatter = new AccessLogFormatter(fields);
        private Chunk chunk;
        private boolean flushScheduled;

        Lines(EventExecutor loop) {
            this.loop = loop;
        }

        void add(RequestLog log) {
            Chunk c = chunk();
            if (c != null) {
                formatter.format(log, c.bytes);
                added(c);
            }
        }

        void add(L4Log log) {
            Chunk c = chunk();
            if (c != null) {
                formatter.format(log, c.bytes);
                added(c);
            }
        }

        /** @return the chunk to format into, or {@code null} when closing (the line is counted as dropped) */
        private Chunk chunk() {
            if (closing) {
                dropped.increment();
                return null;
            }
            Chunk c = chunk;
            if (c == null) {
                c = chunk = takeChunk();
            }
            return c;
        }

        private void added(Chunk c) {
            c.lines++;
            if (c.bytes.size() >= CHUNK_BYTES) {
                chunk = null;
                handOver(c);
            } else if (!flushScheduled && loop != null) {
                flushScheduled = true;
                loop.schedule(this, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
            }
        }

        /** The timer: what a quiet loop holds goes to the writer. */
        @Override
        public void run() {
            flushScheduled = false;
            flush();
        }

        void flush() {
            Chunk c = chunk;
            if (c != null && c.lines > 0) {
                chunk = null;
                handOver(c);
            }
        }

        void flushFromOutside() {
            try {
                if (!loop.isShuttingDown() && flushedOnLoop()) {
                    return;
                }
                // stopped (or stopping): once it has terminated its thread no longer touches the chunk
                if (loop.awaitTermination(1, TimeUnit.SECONDS)) {
                    flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Whether the loop ran the flush within a second; false when it refused the task (shutting down). */
        private boolean flushedOnLoop() throws InterruptedException {
            try {
                return loop.submit(this::flush).await(1, TimeUnit.SECONDS);
            } catch (RejectedExecutionException e) {
                return false;
            }
        }
    }
}
