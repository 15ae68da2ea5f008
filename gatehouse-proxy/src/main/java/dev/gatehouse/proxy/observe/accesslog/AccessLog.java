package dev.gatehouse.proxy.observe.accesslog;

import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.RequestLog;
import io.netty.util.internal.PlatformDependent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * JSON-lines access log. {@link #onComplete} runs on the event loop: a sampling draw, one small immutable
 * entry, one {@code offer} (a full queue drops the entry and counts it: a slow disk must never stall
 * requests). One daemon thread takes entries in batches, formats them as bytes and writes each batch with
 * one {@code write}, so a line reaches the file within a few ms.
 */
public final class AccessLog implements ExchangeObserver, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    /** 16k entries of ~200 bytes each: ~3 MiB at most, a few seconds of a slow disk at 5k req/s. */
    public static final int DEFAULT_CAPACITY = 16 * 1024;
    private static final int BATCH = 256;
    private static final long IDLE_NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** Lock-free multi-producer (the event loops), single-consumer (the writer), bounded. */
    private final Queue<AccessLogEntry> queue;
    private final LongAdder dropped = new LongAdder();
    private final double sample;
    private final AccessLogFormatter formatter;
    private final OutputStream out;
    private final boolean closeOut;
    private final Thread writer;
    private volatile boolean running = true;

    private AccessLog(OutputStream out, boolean closeOut, Set<AccessLogField> fields, double sample, int capacity) {
        checkSample(sample);
        this.queue = PlatformDependent.newFixedMpscQueue(capacity);
        this.sample = sample;
        this.formatter = new AccessLogFormatter(fields);
        this.out = out;
        this.closeOut = closeOut;
        this.writer = new Thread(this::writeLoop, "gatehouse-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    private static void checkSample(double sample) {
        if (!(sample >= 0 && sample <= 1)) {
            throw new IllegalArgumentException("access log sample must be within 0.0..1.0, got " + sample);
        }
    }

    /** Lines to standard output (not closed by {@link #close}). */
    public static AccessLog toStdout(Set<AccessLogField> fields, double sample) {
        return new AccessLog(System.out, false, fields, sample, DEFAULT_CAPACITY);
    }

    /** Lines appended to {@code file} (created with its parent directories when missing). */
    public static AccessLog toFile(Path file, Set<AccessLogField> fields, double sample) throws IOException {
        return toFile(file, fields, sample, DEFAULT_CAPACITY);
    }

    public static AccessLog toFile(Path file, Set<AccessLogField> fields, double sample, int capacity) throws IOException {
        checkSample(sample);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        OutputStream w = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
        return new AccessLog(w, true, fields, sample, capacity);
    }

    /** Entries dropped because the queue was full, since start. */
    public long dropped() {
        return dropped.sum();
    }

    @Override
    public void onComplete(RequestLog log) {
        int status = log.status();
        if (sample < 1.0 && status < 500 && ThreadLocalRandom.current().nextDouble() >= sample) {
            return;
        }
        AccessLogEntry e = new AccessLogEntry(log.startEpochMillis(), log.requestId(), log.traceId(), log.remote(),
                log.method(), log.host(), log.path(), log.protocol(), log.route(), log.backend(), log.endpoint(),
                status, log.requestBytes(), log.responseBytes(), log.durationNanos(), log.upstreamNanos(),
                log.gatewayNanos(), log.failure(),
                log.authOutcome() == null ? null : log.authOutcome().label(),
                log.rateLimitOutcome() == null ? null : log.rateLimitOutcome().label());
        if (!queue.offer(e)) {
            dropped.increment();
        }
    }

    /**
     * Drains in batches and naps when the queue is empty rather than blocking on it: a writer waiting on the
     * queue's condition would be woken by every offer (a futex call and a context switch per request on a
     * busy core); napping 5 ms costs at most 200 wake-ups a second and delays a line by as much.
     */
    private void writeLoop() {
        JsonLineBuffer lines = new JsonLineBuffer(BATCH * 512);
        while (true) {
            try {
                int n = 0;
                for (AccessLogEntry e; n < BATCH && (e = queue.poll()) != null; n++) {
                    formatter.format(e, lines);
                }
                if (n == 0) {
                    if (!running) {
                        break;
                    }
                    LockSupport.parkNanos(IDLE_NAP_NANOS);
                    continue;
                }
                lines.writeTo(out);
                out.flush(); // System.out buffers; a file stream does not
            } catch (IOException | RuntimeException e) {
                LOG.warn("access log write failed: {}", e.toString());
            }
        }
    }

    /** Writes what is queued, then stops the writer. */
    @Override
    public void close() {
        running = false;
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closeOut) {
            try {
                out.close();
            } catch (IOException e) {
                LOG.warn("access log close failed: {}", e.toString());
            }
        }
    }
}
