package dev.gatehouse.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Reads the jar's access log as its writer fills it (lines reach the file within ~130 ms). */
final class AccessLogLines {
    private AccessLogLines() {
    }

    /** The first line of {@code file} containing {@code text}, waiting up to 20 s for the writer. */
    static String await(Path file, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    if (line.contains(text)) {
                        return line;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no access log line with " + text + " in "
                        + (Files.exists(file) ? Files.readString(file) : "(no file)"));
            }
            Thread.sleep(100);
        }
    }
}
