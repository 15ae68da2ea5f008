package dev.gatehouse.app.control;

import dev.gatehouse.proxy.runtime.RuntimeSnapshot;
import dev.gatehouse.proxy.runtime.SnapshotCompiler;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.translate.Diagnostic;
import dev.gatehouse.translate.Translation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Standalone mode's control plane: loads the config path, translates, compiles and applies it on one
 * dedicated thread, and again whenever the files change. Whatever fails (parse, validation, compile) leaves the
 * last good snapshot serving and is logged with file, document, resource and field. So does a config that would
 * serve nothing while something is served (all files deleted, every Gateway removed): that is far more often an
 * accident than the intent, and stopping gatehouse is the way to stop serving. A port that cannot be bound is
 * not a failure of the config: the server retries it, and {@link #serving()} reports its listeners as not
 * programmed meanwhile.
 */
public final class ControlLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlLoop.class);
    private static final int HISTORY = 20;

    private final Path configPath;
    private final ConfigLoader loader;
    private final SnapshotCompiler compiler;
    private final GatewayServer server;
    private final Clock clock;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gatehouse-control");
        t.setDaemon(true);
        return t;
    });
    private final ArrayDeque<ReloadEvent> history = new ArrayDeque<>();
    private final java.util.concurrent.CopyOnWriteArrayList<ReloadListener> listeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private ConfigWatcher watcher;
    private long nextGeneration = 1;
    private volatile Translation serving;

    public ControlLoop(Path configPath, ConfigLoader loader, GatewayServer server, Clock clock) {
        this.configPath = configPath;
        this.loader = loader;
        this.server = server;
        this.clock = clock;
        // clusters consult the server's long-lived health registry, so checks steer every snapshot
        this.compiler = new SnapshotCompiler(server.health());
    }

    /**
     * Loads the config once (waiting for it) and starts watching; returns whether the first load served. The
     * watch begins before the load, so an edit made while gatehouse starts is reloaded, not missed.
     */
    public boolean start() throws Exception {
        try {
            watcher = new ConfigWatcher(configPath, 150, () -> thread.submit(this::reload));
        } catch (IOException e) {
            log.warn("cannot watch {} for changes ({}); hot reload is off", configPath, e.toString());
        }
        Future<Boolean> first = thread.submit(this::reload);
        boolean ok = first.get();
        if (watcher != null) {
            watcher.start();
        }
        return ok;
    }

    /** Runs on the control thread only. */
    boolean reload() {
        long generation = nextGeneration;
        ConfigLoader.Result result;
        try {
            result = loader.load(configPath, generation);
        } catch (RuntimeException e) {
            log.error("config {} could not be loaded", configPath, e);
            record(false, List.of(String.valueOf(e)));
            return false;
        }
        for (Diagnostic d : result.diagnostics()) {
            // "nothing is served" is logged below, as the error it is to a gateway
            if (d.severity() == Diagnostic.Severity.WARNING && !d.message().startsWith(Translation.NOTHING_SERVED)) {
                log.warn("{}", d.describe());
            }
        }
        if (result.hasErrors()) {
            List<String> errors = result.diagnostics().stream()
                    .filter(d -> d.severity() == Diagnostic.Severity.ERROR).map(Diagnostic::describe).toList();
            errors.forEach(e -> log.error("config rejected: {}", e));
            log.error("config {} rejected; still serving generation {}", configPath, servingGeneration());
            record(false, errors);
            return false;
        }
        Translation translation = result.translation();
        String nothing = translation.nothingServed();
        if (nothing != null && servesSomething()) {
            log.error("config {} rejected: {}; still serving generation {} (to stop serving, stop gatehouse)",
                    configPath, nothing, servingGeneration());
            record(false, List.of(nothing + "; a config that serves nothing does not replace one that serves"));
            return false;
        }
        RuntimeSnapshot runtime;
        try {
            runtime = compiler.compile(translation.snapshot(), server.snapshots().current());
            server.apply(runtime);
        } catch (RuntimeException e) {
            log.error("config {} rejected: {}; still serving generation {}", configPath, e.getMessage(),
                    servingGeneration());
            record(false, List.of(String.valueOf(e.getMessage())));
            return false;
        }
        nextGeneration++;
        // a certificate the TLS provider refused fails its listener only; the others are served
        serving = translation.withInvalidCertificates(runtime.certificateFailures());
        logStatusProblems(serving);
        // the checks validate and doctor show: once per reload, so a served mistake is in the log
        result.findings().forEach(f -> log.warn("check: {}", f.describe()));
        if (nothing != null) {
            log.error("config {}: {}; /ready answers 503 until a listener is served", configPath, nothing);
        }
        log.info("serving config generation {} ({} ports, {} clusters)", generation,
                translation.snapshot().ports().size(), translation.snapshot().clusters().size());
        record(true, List.of());
        return true;
    }

    private static void logStatusProblems(Translation translation) {
        translation.statuses().forEach(s -> StatusProblems.of(s)
                .forEach(p -> log.warn("{}: {}", s.resource(), p)));
    }

    private synchronized void record(boolean applied, List<String> errors) {
        history.addFirst(new ReloadEvent(clock.instant(), servingGeneration(), applied, errors));
        while (history.size() > HISTORY) {
            history.removeLast();
        }
        long generation = servingGeneration();
        listeners.forEach(l -> l.reloaded(applied, generation));
    }

    /** Told the outcome of every reload attempt (metrics); called on the control thread. */
    public void addReloadListener(ReloadListener listener) {
        listeners.add(listener);
    }

    /** The outcome of one reload attempt. */
    @FunctionalInterface
    public interface ReloadListener {
        /** @param servingGeneration the generation served after the attempt (0 before the first good config) */
        void reloaded(boolean applied, long servingGeneration);
    }

    public synchronized List<ReloadEvent> history() {
        return new ArrayList<>(history);
    }

    /** Whether some listener is served: a config is loaded and at least one of its ports is bound. */
    public boolean ready() {
        return notReady() == null;
    }

    /** @return why {@link #ready()} is false ("nothing is served: ...", the ports that failed), or {@code null} */
    public String notReady() {
        Translation t = serving;
        if (t == null) {
            return "no config served yet";
        }
        if (t.nothingServed() != null) {
            return t.nothingServed();
        }
        if (server.boundPorts().isEmpty()) {
            return "no port is bound: " + String.join("; ", unboundReasons().values());
        }
        return null;
    }

    /**
     * @return the translation being served, with the listeners of ports the server could not bind reported as
     *         not programmed; or {@code null} before the first good config
     */
    public Translation serving() {
        Translation t = serving;
        return t == null ? null : t.withUnboundPorts(unboundReasons());
    }

    private Map<Integer, String> unboundReasons() {
        Map<Integer, String> out = new TreeMap<>();
        server.unboundPorts().forEach((port, u) -> out.put(port, u.reason() + (u.retrying()
                ? "; retrying every " + GatewayServer.BIND_RETRY_INTERVAL.toSeconds() + "s" : "")));
        return out;
    }

    private boolean servesSomething() {
        Translation t = serving;
        return t != null && !t.snapshot().ports().isEmpty();
    }

    /** The compiled snapshot the data plane serves now (for explain and /backends). */
    public RuntimeSnapshot runtime() {
        return server.snapshots().current();
    }

    private long servingGeneration() {
        Translation t = serving;
        return t == null ? 0 : t.snapshot().generation();
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        thread.shutdownNow();
    }
}
