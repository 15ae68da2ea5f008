package dev.gatehouse.app.cli;

import dev.gatehouse.app.admin.AdminResponse;
import dev.gatehouse.app.admin.AdminServer;
import dev.gatehouse.app.admin.AdminSettings;
import dev.gatehouse.app.control.ConfigLoader;
import dev.gatehouse.app.control.ControlLoop;
import dev.gatehouse.app.observe.GatewayObservability;
import dev.gatehouse.kubernetes.ControllerView;
import dev.gatehouse.kubernetes.KubernetesController;
import dev.gatehouse.kubernetes.KubernetesSettings;
import dev.gatehouse.proxy.observe.accesslog.AccessLogField;
import dev.gatehouse.proxy.ratelimit.RedisRateLimitStore;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.proxy.server.ServerOptions;
import dev.gatehouse.translate.TranslatorOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A running gateway: data plane, control loop, admin endpoint; closed in reverse order. */
final class GatewayRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayRuntime.class);
    static final Duration DEFAULT_KUBERNETES_DRAIN_PERIOD = Duration.ofSeconds(10);

    private final GatewayServer server;
    private final RedisRateLimitStore rateLimitStore;
    private final ControlLoop control;
    /** controller mode's informers, status writer and leader election; {@code null} in standalone mode */
    private final KubernetesController kubernetes;
    private final AdminServer admin;
    private final GatewayObservability observability;
    private final Duration drainPeriod;
    private final Duration drainTimeout;
    private boolean stopped;

    /**
     * @param config the config path (standalone mode), or {@code null} with {@code kubernetesSettings}
     * @param kubernetesSettings controller mode's settings, or {@code null} for standalone mode
     */
    GatewayRuntime(Path config, KubernetesSettings kubernetesSettings, TranslatorOptions translator,
                   GatewayOptions options) throws Exception {
        ServerOptions serverOptions = new ServerOptions(options.bind, options.ioThreads,
                ServerOptions.defaults().headerReadTimeout(), ServerOptions.defaults().idleTimeout(),
                ServerOptions.defaults().connectTimeout(), ServerOptions.defaults().defaultBackendTimeout(),
                ServerOptions.defaults().maxHeaderSize(), ServerOptions.defaults().maxInitialLineLength())
                .withUpstreamIdleTimeout(options.upstreamIdleTimeout);
        this.drainTimeout = options.drainTimeout;
        // in a cluster the endpoints controller needs time to take this pod out of its Services: keep serving
        this.drainPeriod = options.drainPeriod != null ? options.drainPeriod
                : kubernetesSettings != null ? DEFAULT_KUBERNETES_DRAIN_PERIOD : Duration.ZERO;
        InetSocketAddress adminAddress = adminAddress(options);
        if (adminAddress != null && PortCheck.inUse(adminAddress)) {
            throw StartupFailure.adminPortInUse(adminAddress);
        }
        this.observability = observability(options.observability);
        // the informers' first lists (seconds in a large cluster) run while the data plane and admin endpoint start
        this.kubernetes = kubernetesSettings == null ? null : KubernetesController.connect(kubernetesSettings);
        if (kubernetes != null) {
            kubernetes.source().start();
        }
        this.server = new GatewayServer(serverOptions, observability.observability(), options.encodedSlashes);
        server.healthChecks(options.healthChecks());
        server.udpSettings(options.udpSettings());
        this.rateLimitStore = rateLimitStore(options, server, observability);
        observability.healthSource((cluster, endpoint) -> {
            var health = server.health().find(endpoint);
            return health == null || health.routable(); // neither UNHEALTHY nor ejected by outlier detection
        });
        if (observability.metrics() != null) {
            server.health().events(observability.metrics().healthEvents());
        }
        // the protocols the data plane serves decide which listeners the translator may program
        TranslatorOptions translatorOptions =
                new TranslatorOptions(translator.controllerName(), GatewayServer.SERVED_PROTOCOLS);
        // in a cluster one team's refused object must not freeze everyone's changes; a broken file still does
        ConfigLoader loader = new ConfigLoader(kubernetesSettings == null ? translatorOptions
                : translatorOptions.leavingOutRefused());
        if (kubernetes == null) {
            this.control = new ControlLoop(config, loader, server, Clock.systemUTC());
        } else {
            // the same loop as standalone: only where the resources come from and where statuses go differ
            this.control = new ControlLoop(kubernetes.source(), kubernetes.statusSink(), loader, server,
                    Clock.systemUTC());
        }
        control.addReloadListener(observability::reloaded);
        AdminSettings settings = AdminSettings.defaults().withToken(options.adminToken)
                .withHealth(new RegistryHealthView(server.health(), server::healthCheckOf));
        if (observability.metricsEndpoint() != null) {
            settings = settings.withEndpoint("/metrics", observability.metricsEndpoint());
        }
        settings = settings.withEndpoint("/source", q -> AdminResponse.json(200, sourceView(config)));
        this.admin = adminAddress == null ? null : startAdmin(adminAddress, settings);
        if (admin != null) {
            log.info("admin endpoint on http://{}:{}/ (dashboard /ui/; ready, config, status, routes, backends, reloads, "
                    + "explain, source){}", admin.address().getHostString(), admin.address().getPort(),
                    options.adminToken == null || options.adminToken.isBlank() ? "" : ", bearer token required");
        }
        boolean served;
        try {
            served = control.start();
        } catch (Exception e) {
            close();
            throw kubernetes != null ? StartupFailure.kubernetesUnreachable(kubernetes.source().describe(), e) : e;
        }
        if (kubernetes != null) {
            kubernetes.startLeaderElection(); // once the caches are synced: a new leader writes what it serves
        }
        if (!served) {
            log.warn("the first config was rejected; serving nothing until it is fixed (watching {})",
                    config != null ? config : "the Kubernetes API");
        }
    }

    /** Bad values fail before anything starts, in one line naming the flag. */
    static InetSocketAddress adminAddress(GatewayOptions options) {
        try {
            return options.adminAddress();
        } catch (IllegalArgumentException e) {
            throw StartupFailure.badValue("--admin", "expected host:port or off, got '" + options.admin + "'");
        }
    }

    private static GatewayObservability observability(ObservabilityFlags o) {
        try {
            AccessLogField.parse(o.accessLogFields);
        } catch (IllegalArgumentException e) {
            throw StartupFailure.badValue("--access-log-fields", e.getMessage());
        }
        ratio("--access-log-sample", o.accessLogSample);
        ratio("--trace-sample", o.traceSample);
        try {
            return new GatewayObservability(o.metrics, o.accessLog, o.accessLogFields, o.accessLogSample,
                    o.requestId, o.trustRequestId, o.otlpEndpoint, o.traceSample, o.debugHeader);
        } catch (IOException e) {
            // the only file it opens
            throw StartupFailure.accessLogNotWritable(o.accessLog, e);
        }
    }

    private static void ratio(String flag, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw StartupFailure.badValue(flag, "expected a ratio within 0.0..1.0, got " + value);
        }
    }

    /**
     * {@code GET /source}: where the config comes from. Standalone: the path; controller mode: the API server, this
     * replica and the leader, every kind with its count (or missing), and when the caches last changed.
     */
    private Map<String, Object> sourceView(Path config) {
        Map<String, Object> view = new LinkedHashMap<>();
        if (kubernetes == null) {
            view.put("mode", "standalone");
            view.put("config", config.toAbsolutePath().toString());
            return view;
        }
        ControllerView c = kubernetes.view();
        view.put("mode", "kubernetes");
        view.put("apiServer", c.apiServer());
        view.put("identity", c.identity());
        view.put("leading", c.leading());
        view.put("leader", c.leader());
        view.put("lease", c.lease());
        view.put("lastChange", c.lastChange() == null ? null : c.lastChange().toString());
        view.put("kinds", c.kinds());
        return view;
    }

    private AdminServer startAdmin(InetSocketAddress address, AdminSettings settings) throws IOException {
        AdminServer started;
        try {
            started = new AdminServer(address, control, settings);
        } catch (BindException e) {
            close();
            throw StartupFailure.adminPortInUse(address);
        }
        started.start();
        return started;
    }

    /**
     * Blocks until SIGTERM or SIGINT (Ctrl-C; caught by {@code signals} since before this runtime started), then stops gracefully ({@link #stop}) and returns; a second signal
     * during the drain ends the process at once with 128 + its number (143, 130).
     *
     * <p>Why {@code sun.misc.Signal} rather than only a shutdown hook: a hook runs once the JVM has decided to exit
     * with 128 + the signal's number, so a clean drained stop could not exit 0, and a second signal would wait behind
     * the running hook instead of ending the process. The handler only wakes this thread, which drains and lets the
     * command return 0. A hook remains for the other ways a JVM stops (SIGHUP, a failed handler install): it
     * drains too, and finds the work done when a signal came first.
     */
    void awaitShutdown(TerminationSignals signals) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "gatehouse-shutdown"));
        String received = signals.await();
        log.info("{}: stopping (a second signal exits at once)", received);
        stop();
    }

    /**
     * Once: no more reloads, /ready 503 and HTTP/1.1 answers with Connection: close while still serving for
     * --drain-period (so balancers and the endpoints controller stop sending here), then listening sockets
     * closed, requests in flight finished for up to --drain-timeout (see GatewayServer#drain), everything closed.
     */
    private synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        control.close(); // first: a reload must not bind ports again during the drain
        if (admin != null) {
            admin.draining();
        }
        server.announceDrain();
        if (!drainPeriod.isZero()) {
            log.info("draining: not ready, still serving for {} ms (--drain-period)", drainPeriod.toMillis());
            try {
                Thread.sleep(drainPeriod.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        server.drain(drainTimeout);
        close();
    }

    @Override
    public void close() {
        control.close();
        if (kubernetes != null) {
            kubernetes.close();
        }
        if (admin != null) {
            admin.close();
        }
        server.close();
        if (rateLimitStore != null) {
            rateLimitStore.close();
        }
        observability.close();
    }

    /** The Redis of global rate limits, or null; connected in the background, so a Redis down does not stop us. */
    private static RedisRateLimitStore rateLimitStore(GatewayOptions options, GatewayServer server,
                                                      GatewayObservability observability) {
        if (options.rateLimitRedis == null || options.rateLimitRedis.isBlank()) {
            server.rateLimiters().global(null, options.rateLimitFailClosed);
            return null;
        }
        RedisRateLimitStore store;
        try {
            store = new RedisRateLimitStore(options.rateLimitRedis);
        } catch (IllegalArgumentException e) {
            throw StartupFailure.badValue("--rate-limit-redis", e.getMessage());
        }
        server.rateLimiters().global(store.start(), options.rateLimitFailClosed);
        if (observability.metrics() != null) {
            observability.metrics().monitorDrops("gatehouse.ratelimit.redis.errors",
                    "Redis calls of global rate limits that failed or timed out", store.errorCount());
        }
        return store;
    }
}
