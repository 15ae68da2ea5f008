package dev.gatehouse.app.control;

import dev.gatehouse.translate.load.ConfigFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;

/**
 * Watches a config file or folder and calls back once a burst of changes has settled. Editors and
 * {@code kubectl}-style tools write through temp files and renames, so a change is a burst of events;
 * waiting {@code settle} after the last one turns it into one reload. A folder is watched with its subfolders (the
 * loader reads them: {@link ConfigFiles}); inotify watches one folder at a time, so each is registered, and new
 * ones as they appear. A ConfigMap volume changes by swapping its {@code ..data} link, which counts as a change.
 * A one-second poll of modification times backs up inotify, which can miss events on some file systems (bind
 * mounts, ConfigMap symlinks).
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);
    private static final WatchEvent.Kind<?>[] KINDS = {StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE};

    private final Path directory;
    /** the config path when it is one file (only it counts), else {@code null} */
    private final Path file;
    private final Runnable onChange;
    private final long settleNanos;
    private final WatchService watch;
    private final Thread thread;
    /** The files as they were when the watch began: a change after it is a change, even before {@link #start}. */
    private final String initialStamp;
    private volatile boolean closed;

    public ConfigWatcher(Path path, long settleMillis, Runnable onChange) throws IOException {
        Path abs = path.toAbsolutePath().normalize();
        this.directory = Files.isDirectory(abs) ? abs : abs.getParent();
        this.file = Files.isDirectory(abs) ? null : abs;
        this.onChange = onChange;
        this.settleNanos = TimeUnit.MILLISECONDS.toNanos(settleMillis);
        this.watch = FileSystems.getDefault().newWatchService();
        register(directory);
        this.initialStamp = stamp();
        this.thread = new Thread(this::loop, "gatehouse-config-watch");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void loop() {
        String lastStamp = initialStamp;
        long pendingSince = 0;
        while (!closed) {
            try {
                WatchKey key = watch.poll(pendingSince != 0 ? 50 : 1000, TimeUnit.MILLISECONDS);
                if (key != null) {
                    // Only YAML files are config: a log or an editor's swap file in the folder is not a change.
                    // Such events must not skip the settle check below, or a busy log would hold a reload back.
                    Path dir = (Path) key.watchable();
                    boolean relevant = false;
                    for (WatchEvent<?> e : key.pollEvents()) {
                        relevant |= e.context() instanceof Path p && relevant(dir.resolve(p));
                    }
                    key.reset();
                    if (relevant) {
                        pendingSince = System.nanoTime();
                    }
                } else if (pendingSince == 0 && !stamp().equals(lastStamp)) {
                    pendingSince = System.nanoTime();
                }
                if (pendingSince != 0 && System.nanoTime() - pendingSince >= settleNanos) {
                    pendingSince = 0;
                    lastStamp = stamp();
                    onChange.run();
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("config reload failed unexpectedly", e);
            }
        }
    }

    private boolean relevant(Path path) {
        if (path.getFileName().toString().equals("..data")) {
            return true; // a ConfigMap volume swapped its files, also a single mounted file
        }
        if (file != null) {
            return path.equals(file);
        }
        if (ConfigFiles.isHidden(path)) {
            return false;
        }
        if (Files.isDirectory(path)) {
            try {
                register(path); // before its files are written, so none is missed
            } catch (IOException e) {
                log.warn("cannot watch {} for changes ({}); changes there are found by the once-a-second poll", path,
                        e.toString());
            }
            return true;
        }
        return ConfigFiles.isYaml(path);
    }

    /** Watches {@code dir} and the folders under it that the loader reads; registering twice is harmless. */
    private void register(Path dir) throws IOException {
        if (file != null) {
            dir.register(watch, KINDS);
            return;
        }
        for (Path d : ConfigFiles.directories(dir)) {
            d.register(watch, KINDS);
        }
    }

    /** Names, sizes and modification times of the YAML files: cheap, and changes whenever a reload is due. */
    private String stamp() {
        StringBuilder b = new StringBuilder();
        try {
            for (Path p : ConfigFiles.of(file != null ? file : directory)) {
                try {
                    b.append(directory.relativize(p)).append(':').append(Files.size(p)).append(':')
                            .append(Files.getLastModifiedTime(p).toMillis()).append(';');
                } catch (IOException e) {
                    b.append(directory.relativize(p)).append(":gone;");
                }
            }
        } catch (IOException e) {
            b.append("unreadable");
        }
        return b.toString();
    }

    @Override
    public void close() {
        closed = true;
        try {
            watch.close();
        } catch (IOException ignored) {
            // closing a watch service only fails if it is already closed
        }
        thread.interrupt();
    }
}
