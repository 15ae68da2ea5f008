package dev.gatehouse.edge.pool;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * {@code --nodes-file}: one node per line, {@code ADDR} or {@code NAME ADDR}, {@code #} starting a comment. Read at
 * start, again whenever the file changes (its directory is watched, so editors' and tools' write-and-rename is
 * seen) and on {@link #reload()} (SIGHUP). A file that cannot be read or parsed keeps the previous nodes and says
 * which line is wrong; so does a file without nodes (often one read half-written).
 */
public final class NodesFileSource implements NodeSource {
    private static final Logger LOG = LoggerFactory.getLogger(NodesFileSource.class);

    /** How long the file is left to settle after a change before it is read. */
    private static final long SETTLE_MILLIS = 200;

    private final Path file;
    private final Map<Integer, Integer> nodePorts;
    private volatile Consumer<NodeSet> onChange;
    private NodeSet last;
    private WatchService watcher;
    private Thread thread;

    public NodesFileSource(Path file, Map<Integer, Integer> nodePorts) {
        this.file = file.toAbsolutePath();
        this.nodePorts = Map.copyOf(nodePorts);
    }

    /** Reads the file; a first read that fails throws (the edge does not start on a broken file). */
    @Override
    public void start(Consumer<NodeSet> onChange) throws IOException {
        this.onChange = onChange;
        NodeSet first = new NodeSet(parse(file), nodePorts);
        synchronized (this) {
            last = first;
        }
        onChange.accept(first);
        watcher = FileSystems.getDefault().newWatchService();
        file.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        thread = new Thread(this::watch, "edge-nodes-file");
        thread.setDaemon(true);
        thread.start();
    }

    /** Reads the file again and passes the nodes on if they changed; any thread (one at a time, in order). */
    @Override
    public synchronized void reload() {
        Consumer<NodeSet> sink = onChange;
        if (sink == null) {
            return;
        }
        NodeSet set;
        try {
            set = new NodeSet(parse(file), nodePorts);
            if (set.nodes().isEmpty()) {
                throw new IllegalArgumentException("no nodes in it (an edge without nodes refuses every client)");
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("{}: {}; keeping the {} nodes read before", file, e.getMessage(), last == null ? 0 : last.nodes().size());
            return;
        }
        if (set.equals(last)) {
            return;
        }
        last = set;
        LOG.info("{}: {} nodes", file, set.nodes().size());
        sink.accept(set);
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                boolean ours = key.pollEvents().stream()
                        .anyMatch(e -> e.context() instanceof Path p && p.equals(file.getFileName()));
                key.reset();
                if (ours) {
                    // a tool that truncates then writes sends several events: read once it is done
                    Thread.sleep(SETTLE_MILLIS);
                    WatchKey more = watcher.poll();
                    if (more != null) {
                        more.pollEvents();
                        more.reset();
                    }
                    reload();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    /** @throws IllegalArgumentException naming the file and line of a malformed entry */
    static List<EdgeNode> parse(Path file) throws IOException {
        List<EdgeNode> nodes = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String[] fields = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (fields.length == 1 && fields[0].isEmpty()) {
                continue;
            }
            if (fields.length > 2) {
                throw new IllegalArgumentException("line " + (i + 1) + ": expected 'ADDR' or 'NAME ADDR', got '"
                        + line.trim() + "'");
            }
            nodes.add(fields.length == 1 ? new EdgeNode(fields[0], fields[0]) : new EdgeNode(fields[0], fields[1]));
        }
        return nodes;
    }

    @Override
    public void close() {
        onChange = null;
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                LOG.debug("closing the watch of {}: {}", file, e.toString());
            }
        }
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public String toString() {
        return "nodes file " + Objects.toString(file);
    }
}
