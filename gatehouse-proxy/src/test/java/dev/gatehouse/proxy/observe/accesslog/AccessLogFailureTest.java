package dev.gatehouse.proxy.observe.accesslog;

import dev.gatehouse.proxy.observe.RequestLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A failing disk is said once per episode (when it starts failing, and once when it recovers), not per chunk. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AccessLogFailureTest {
    /** Fails every write and flush while broken, as a full disk does. */
    private static final class BrokenDisk implements LogSink {
        volatile boolean broken;
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger flushed = new AtomicInteger();

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (broken) {
                failures.incrementAndGet();
                throw new IOException("No space left on device");
            }
        }

        @Override
        public void flush() throws IOException {
            if (broken) {
                failures.incrementAndGet();
                throw new IOException("No space left on device");
            }
            flushed.incrementAndGet();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aFailingDiskIsReportedOncePerEpisode() throws Exception {
        BrokenDisk disk = new BrokenDisk();
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (AccessLog log = AccessLog.toSink(disk, AccessLogField.parse("all"))) {
            for (int episode = 0; episode < 2; episode++) {
                disk.broken = true;
                int before = disk.failures.get();
                for (int i = 0; i < 10; i++) {
                    log.onComplete(request());
                    int expected = before + i + 1;
                    await().atMost(Duration.ofSeconds(30)).until(() -> disk.failures.get() >= expected);
                }
                disk.broken = false;
                int flushed = disk.flushed.get();
                log.onComplete(request());
                await().atMost(Duration.ofSeconds(30)).until(() -> disk.flushed.get() > flushed);
            }
        } finally {
            System.setErr(stderr);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertThat(disk.failures.get()).isGreaterThanOrEqualTo(20);
        assertThat(text.split("access log write failed", -1)).as(text).hasSize(3);
        assertThat(text.split("access log writes succeed again", -1)).as(text).hasSize(3);
        assertThat(text).contains("No space left on device");
    }

    private static RequestLog request() {
        RequestLog log = new RequestLog(1_000_000L, 1_700_000_000_123L, "GET", "/", "HTTP/1.1",
                new InetSocketAddress("127.0.0.1", 40000), 8080);
        log.status(200);
        log.complete(2_000_000L);
        return log;
    }
}
