package dev.gatehouse.app.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ConfigWatcherTest {
    @TempDir
    Path dir;

    @Test
    void aBurstOfWritesAndRenamesIsOneReload() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), "a: 1\n");
        AtomicInteger calls = new AtomicInteger();
        // a 1 s settle time (150 ms in production): writes 20 ms apart stay one burst even when this thread is
        // descheduled for a while on a busy machine
        try (ConfigWatcher watcher = new ConfigWatcher(dir, 1000, calls::incrementAndGet)) {
            watcher.start();
            Thread.sleep(200);
            for (int i = 0; i < 5; i++) {
                Path tmp = dir.resolve(".a.yaml.tmp");
                Files.writeString(tmp, "a: " + i + "\n");
                Files.move(tmp, dir.resolve("a.yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Thread.sleep(20);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() >= 1);
            Thread.sleep(1500); // longer than the settle time: a second reload would have come by now
            assertThat(calls.get()).isEqualTo(1);
        }
    }

    @Test
    void aChangeBetweenMakingTheWatcherAndStartingItIsNotMissed() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, "x: 1\n");
        AtomicInteger calls = new AtomicInteger();
        try (ConfigWatcher watcher = new ConfigWatcher(file, 100, calls::incrementAndGet)) {
            Files.writeString(file, "x: 22\n"); // while the gateway does its first load
            Thread.sleep(100);
            watcher.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 1);
        }
    }

    @Test
    void deletingAFileIsAChangeAndOtherNamesAreIgnoredByThePoll() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), "a: 1\n");
        Files.writeString(dir.resolve("b.yaml"), "b: 1\n");
        AtomicInteger calls = new AtomicInteger();
        try (ConfigWatcher watcher = new ConfigWatcher(dir, 100, calls::incrementAndGet)) {
            watcher.start();
            Thread.sleep(200);
            Files.delete(dir.resolve("b.yaml"));
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 1);
        }
    }

    @Test
    void filesInSubfoldersAndInNewSubfoldersAreWatched() throws Exception {
        Files.createDirectories(dir.resolve("team-a"));
        Files.writeString(dir.resolve("team-a/routes.yaml"), "a: 1\n");
        AtomicInteger calls = new AtomicInteger();
        try (ConfigWatcher watcher = new ConfigWatcher(dir, 100, calls::incrementAndGet)) {
            watcher.start();
            Thread.sleep(200);
            Files.writeString(dir.resolve("team-a/routes.yaml"), "a: 2\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);
            Files.createDirectories(dir.resolve("team-b/deeper"));
            Thread.sleep(300);
            int before = calls.get();
            Files.writeString(dir.resolve("team-b/deeper/routes.yaml"), "b: 1\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() > before);
        }
    }

    /** kubelet updates a ConfigMap volume by writing a new hidden folder and renaming a new ..data link over the old. */
    @Test
    void aConfigMapVolumeSwappingItsDataLinkIsAChange() throws Exception {
        Path v1 = Files.createDirectories(dir.resolve("..2026_01_01_00_00_00.1"));
        Files.writeString(v1.resolve("routes.yaml"), "a: 1\n");
        Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Files.createSymbolicLink(dir.resolve("routes.yaml"), Path.of("..data/routes.yaml"));
        AtomicInteger calls = new AtomicInteger();
        try (ConfigWatcher watcher = new ConfigWatcher(dir, 100, calls::incrementAndGet)) {
            watcher.start();
            Thread.sleep(200);
            Path v2 = Files.createDirectories(dir.resolve("..2026_01_01_00_01_00.2"));
            Files.writeString(v2.resolve("routes.yaml"), "a: 2\n");
            Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
            Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
            await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);
        }
    }

    @Test
    void watchingASingleFileWatchesItsFolder() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, "x: 1\n");
        AtomicInteger calls = new AtomicInteger();
        try (ConfigWatcher watcher = new ConfigWatcher(file, 100, calls::incrementAndGet)) {
            watcher.start();
            Thread.sleep(200);
            Files.writeString(file, "x: 2\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 1);
        }
    }

    @Test
    void aBusyLogFileInTheFolderDoesNotHoldAReloadBack() throws Exception {
        Path yaml = dir.resolve("a.yaml");
        Files.writeString(yaml, "a: 1\n");
        AtomicInteger calls = new AtomicInteger();
        try (ConfigWatcher watcher = new ConfigWatcher(dir, 150, calls::incrementAndGet)) {
            watcher.start();
            Thread.sleep(200);
            Files.writeString(yaml, "a: 2\n");
            long deadline = System.nanoTime() + 10_000_000_000L;
            // a log line every 20 ms, faster than the 50 ms poll and the 150 ms settle time
            while (calls.get() == 0 && System.nanoTime() < deadline) {
                Files.writeString(dir.resolve("gateway.log"), "line\n", java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
                Thread.sleep(20);
            }
            assertThat(calls.get()).isEqualTo(1);
        }
    }
}
