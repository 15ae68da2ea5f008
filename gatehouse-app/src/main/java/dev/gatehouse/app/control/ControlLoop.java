package dev.gatehouse.app.control;

import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.runtime.SnapshotCompiler;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.translate.Diagnostic;
import dev.gatehouse.translate.ResourceSet;
import dev.gatehouse.translate.ResourceSource;
import dev.gatehouse.translate.ResourceStatus;
import dev.gatehouse.translate.StatusSink;
import dev.gatehouse.translate.Translation;
import dev.gatehouse.translate.YamlResourceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The control plane of both modes: reads the {@link ResourceSource} (files, or the Kubernetes API), translates,
 * compiles and applies it on one dedicated thread, and again whenever the source says it changed; then hands the
 * statuses to the {@link StatusSink} (which, for Kubernetes, writes them from a thread of its own). Whatever fails
 * (parse, validation, compile) leaves the last good snapshot serving and is logged with file, document, resource
 * and field. So does a config that would
 * serve nothing while something is served (all files deleted, every Gateway removed), when the source says that
 * is more often an accident than the intent (files: stopping gatehouse is the way to stop serving; in the API,
 * deleting the last Gateway is deliberate and closes its ports). A port that cannot be bound is
 * not a failure of the config: the server retries it, and {@link #serving()} reports its listeners as not
 * programmed meanwhile.
 */
public final class ControlLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlLoop.class);
    private static final int HISTORY = 20;
    /** Translations of the first served config to warm the JIT with (see {@link #warmUp}). */
    private static final int WARM_UP_ROUNDS = 3;

    private final ResourceSource source;
    private final StatusSink statusSink;
    private final ConfigLoader loader;
    private final SnapshotCompiler compiler;
    private final GatewayServer server;
    private final Clock clock;
    /**
     * How often the served statuses are compared with the last ones published: a port the server binds on a retry
     * changes them without a reload.
     */
    private static final long STATUS_REFRESH_SECONDS = 3;

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gatehouse-control");
        t.setDaemon(true);
        return t;
    });
    private final ArrayDeque<ReloadEvent> history = new ArrayDeque<>();
    private final java.util.concurrent.CopyOnWriteArrayList<ReloadListener> listeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private long nextGeneration = 1;
    private volatile Translation serving;
    /** the statuses last handed to the sink; control thread only */
    private List<ResourceStatus> published;
    /** the warnings about objects left out that the last reload logged; control thread only */
    private Set<String> loggedLeftOut = Set.of();
    /** whether the warm-up has started (once, after the first served config); control thread only */
    private boolean warmingUp;

    /** Standalone mode: the files at {@code configPath}, statuses not written anywhere. */
    public ControlLoop(Path configPath, ConfigLoader loader, GatewayServer server, Clock clock) {
        this(new FileSource(configPath), StatusSink.NONE, loader, server, clock);
    }

    public ControlLoop(ResourceSource source, StatusSink statusSink, ConfigLoader loader, GatewayServer server,
                       Clock clock) {
        this.source = source;
        this.statusSink = statusSink;
        this.loader = loader;
        this.server = server;
        this.clock = clock;
        // clusters consult the server's long-lived health registry, so checks steer every snapshot
        this.compiler = new SnapshotCompiler(server.health(), server.rateLimiters());
    }

    /**
     * Loads the config once (waiting for it) and starts watching; returns whether the first load served. The
     * watch begins before the load, so an edit made while gatehouse starts is reloaded, not missed.
     *
     * @throws Exception when the source cannot be watched (the Kubernetes API cannot be reached)
     */
    public boolean start() throws Exception {
        source.watch(() -> thread.submit(this::reload));
        Future<Boolean> first = thread.submit(this::reload);
        if (statusSink != StatusSink.NONE) {
            thread.scheduleWithFixedDelay(() -> {
                Translation t = serving();
                if (t != null && !t.statuses().equals(published)) {
                    publishStatuses(t);
                }
            }, STATUS_REFRESH_SECONDS, STATUS_REFRESH_SECONDS, TimeUnit.SECONDS);
        }
        return first.get();
    }

    /** Runs on the control thread only. */
    boolean reload() {
        long generation = nextGeneration;
        long startedNanos = System.nanoTime();
        long startedCpu = cpuNanos();
        ConfigLoader.Result result;
        YamlResourceLoader.Result read;
        try {
            read = source.read();
            // the doctor's checks only log: they run once the config is served (a tenth of a 5,000-route reload)
            result = loader.translate(read, generation, false);
        } catch (RuntimeException e) {
            log.error("{} could not be loaded", source.describe(), e);
            record(false, List.of(String.valueOf(e)));
            return false;
        }
        Set<String> leftOut = new HashSet<>();
        for (Diagnostic d : result.diagnostics()) {
            // an object left out stays so over many reloads (every endpoint change): logged when it is first
            if (d.severity() == Diagnostic.Severity.WARNING && d.message().startsWith(Translation.LEFT_OUT)) {
                leftOut.add(d.resource());
                if (!loggedLeftOut.contains(d.describe())) {
                    log.warn("{}", d.describe());
                }
            } else if (d.severity() == Diagnostic.Severity.WARNING
                    && !d.message().startsWith(Translation.NOTHING_SERVED)) {
                // "nothing is served" is logged below, as the error it is to a gateway
                log.warn("{}", d.describe());
            }
        }
        loggedLeftOut = result.diagnostics().stream().filter(d -> d.message().startsWith(Translation.LEFT_OUT))
                .map(Diagnostic::describe).collect(java.util.stream.Collectors.toSet());
        if (result.hasErrors()) {
            List<String> errors = result.diagnostics().stream()
                    .filter(d -> d.severity() == Diagnostic.Severity.ERROR).map(Diagnostic::describe).toList();
            errors.forEach(e -> log.error("config rejected: {}", e));
            log.error("{} rejected; still serving generation {}", source.describe(), servingGeneration());
            record(false, errors);
            return false;
        }
        Translation translation = result.translation();
        String nothing = translation.nothingServed();
        if (nothing != null && servesSomething() && source.emptyIsAccident()) {
            log.error("{} rejected: {}; still serving generation {} (to stop serving, stop gatehouse)",
                    source.describe(), nothing, servingGeneration());
            record(false, List.of(nothing + "; a config that serves nothing does not replace one that serves"));
            return false;
        }
        RuntimeSnapshot runtime;
        try {
            runtime = compiler.compile(translation.snapshot(), server.snapshots().current());
            server.apply(runtime);
        } catch (RuntimeException e) {
            log.error("{} rejected: {}; still serving generation {}", source.describe(), e.getMessage(),
                    servingGeneration());
            record(false, List.of(String.valueOf(e.getMessage())));
            return false;
        }
        nextGeneration++;
        // a certificate the TLS provider refused fails its listener only; the others are served
        serving = translation.withInvalidCertificates(runtime.certificateFailures());
        logStatusProblems(serving, leftOut);
        if (nothing != null) {
            log.error("{}: {}; /ready answers 503 until a listener is served", source.describe(), nothing);
        }
        // how long read, translate, compile and apply took: at scale, the figure an operator watches; with the
        // control thread's CPU time, which a busy machine does not stretch as it does the elapsed time
        long cpu = cpuNanos() - startedCpu;
        log.info("serving config generation {} ({} ports, {} clusters) in {} ms{}", generation,
                translation.snapshot().ports().size(), translation.snapshot().clusters().size(),
                (System.nanoTime() - startedNanos) / 1_000_000,
                startedCpu < 0 ? "" : " (" + cpu / 1_000_000 + " ms of CPU)");
        record(true, List.of());
        publishStatuses(serving());
        if (!warmingUp) {
            warmingUp = true;
            warmUp(read.resources(), translation.snapshot());
        }
        // the checks validate and doctor show: once per reload, so a served mistake is in the log
        try {
            loader.check(read.resources(), translation).forEach(f -> log.warn("check: {}", f.describe()));
        } catch (RuntimeException e) {
            log.warn("the checks on generation {} failed; it is served", generation, e);
        }
        return true;
    }

    /**
     * Translates the first served config again a few times on a thread of its own, results discarded, and compiles
     * it twice with a compiler of its own (the second time keeping the first's rules, as a reload keeps the unchanged
     * ones): the JIT then compiles the translator and the compiler while nothing waits for them, not during the first
     * changes. Its low priority is only a hint (HotSpot on Linux ignores Java priorities by default): for the few
     * seconds it runs, it shares the cores like any thread, a change that comes meanwhile included.
     */
    private void warmUp(ResourceSet resources, dev.gatehouse.ir.Snapshot snapshot) {
        Thread t = new Thread(() -> {
            try {
                long started = System.nanoTime();
                long startedCpu = cpuNanos();
                loader.warmUp(resources, WARM_UP_ROUNDS);
                // clusters with private health entries nothing probes, limits of their own: nothing served changes
                SnapshotCompiler own = new SnapshotCompiler();
                own.compile(snapshot, own.compile(snapshot, null));
                log.info("translator warmed up: {} translations and 2 compiles in {} ms ({} ms of CPU)",
                        WARM_UP_ROUNDS, (System.nanoTime() - started) / 1_000_000,
                        (cpuNanos() - startedCpu) / 1_000_000);
            } catch (RuntimeException e) {
                log.debug("warming up the translator failed", e);
            }
        }, "gatehouse-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** The calling thread's CPU time, or -1 where the JVM does not measure it. */
    private static long cpuNanos() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
    }

    /** On the control thread: the statuses as served, with the ports the server could not bind laid over. */
    private void publishStatuses(Translation t) {
        published = t.statuses();
        statusSink.publish(published);
    }

    /** @param leftOut objects whose warning said why already */
    private static void logStatusProblems(Translation translation, Set<String> leftOut) {
        translation.statuses().stream().filter(s -> !leftOut.contains(s.resource())).forEach(s -> StatusProblems.of(s)
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
        source.close();
        thread.shutdownNow();
    }
}
