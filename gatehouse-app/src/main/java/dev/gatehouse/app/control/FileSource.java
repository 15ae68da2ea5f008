package dev.gatehouse.app.control;

import dev.gatehouse.translate.ResourceSource;
import dev.gatehouse.translate.YamlResourceLoader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;

/** Standalone mode's source: a YAML file or folder, re-read when {@link ConfigWatcher} sees it change. */
public final class FileSource implements ResourceSource {
    private static final Logger log = LoggerFactory.getLogger(FileSource.class);
    /** Editors write a burst of temp files and renames: one reload this long after the last event. */
    private static final long SETTLE_MILLIS = 150;

    private final Path path;
    private final YamlResourceLoader yaml = new YamlResourceLoader();
    private ConfigWatcher watcher;

    public FileSource(Path path) {
        this.path = path;
    }

    @Override
    public String describe() {
        return "config " + path;
    }

    /** A folder that cannot be watched still serves: it is only read at start then. */
    @Override
    public void watch(Runnable changed) {
        try {
            watcher = new ConfigWatcher(path, SETTLE_MILLIS, changed);
        } catch (IOException e) {
            log.warn("cannot watch {} for changes ({}); hot reload is off", path, e.toString());
            return;
        }
        watcher.start();
    }

    @Override
    public YamlResourceLoader.Result read() {
        return yaml.load(path);
    }

    @Override
    public boolean emptyIsAccident() {
        return true;
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
