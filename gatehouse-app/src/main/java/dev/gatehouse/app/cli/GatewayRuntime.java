package dev.gatehouse.app.cli;

import dev.gatehouse.app.admin.AdminServer;
import dev.gatehouse.app.admin.AdminSettings;
import dev.gatehouse.app.control.ConfigLoader;
import dev.gatehouse.app.control.ControlLoop;
import dev.gatehouse.app.observe.GatewayObservability;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.proxy.server.ServerOptions;
import dev.gatehouse.translate.TranslatorOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/** A running gateway: data plane, control loop, admin endpoint; closed in reverse order. */
final class GatewayRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayRuntime.class);

    private final GatewayServer server;
    private final ControlLoop control;
    private final AdminServer admin;
    private final GatewayObservability observability;

    GatewayRuntime(Path config, TranslatorOptions translator, GatewayOptions options) throws Exception {
        ServerOptions serverOptions = new ServerOptions(options.bind, options.ioThreads,
                ServerOptions.defaults().headerReadTimeout(), ServerOptions.defaults().idleTimeout(),
                ServerOptions.defaults().connectTimeout(), ServerOptions.defaults().defaultBackendTimeout(),
                ServerOptions.defaults().maxHeaderSize(), ServerOptions.defaults().maxInitialLineLength())
                .withUpstreamIdleTimeout(options.upstreamIdleTimeout);
        ObservabilityFlags o = options.observability;
        this.observability = new GatewayObservability(o.metrics, o.accessLog, o.accessLogFields, o.accessLogSample,
                o.requestId, o.trustRequestId, o.otlpEndpoint, o.traceSample, o.debugHeader);
        this.server = new GatewayServer(serverOptions, observability.observability(), options.encodedSlashes);
        server.healthChecks(options.healthChecks());
        observability.healthSource((cluster, endpoint) -> {
            var health = server.health().find(endpoint);
            return health == null || health.verdict().state() != dev.gatehouse.proxy.balance.HealthState.UNHEALTHY;
        });
        // the protocols the data plane serves decide which listeners the translator may program
        this.control = new ControlLoop(config, new ConfigLoader(
                new TranslatorOptions(translator.controllerName(), GatewayServer.SERVED_PROTOCOLS)), server,
                Clock.systemUTC());
        control.addReloadListener(observability::reloaded);
        InetSocketAddress adminAddress = options.adminAddress();
        AdminSettings settings = AdminSettings.defaults().withToken(options.adminToken)
                .withHealth(new RegistryHealthView(server.health()));
        if (observability.metricsEndpoint() != null) {
            settings = settings.withEndpoint("/metrics", observability.metricsEndpoint());
        }
        this.admin = adminAddress == null ? null : new AdminServer(adminAddress, control, settings);
        if (admin != null) {
            admin.start();
            log.info("admin endpoint on http://{}:{}/ (dashboard /ui/; ready, config, status, routes, backends, reloads, "
                    + "explain){}", admin.address().getHostString(), admin.address().getPort(),
                    options.adminToken == null || options.adminToken.isBlank() ? "" : ", bearer token required");
        }
        if (!control.start()) {
            log.warn("the first config was rejected; serving nothing until the files are fixed (watching {})", config);
        }
    }

    /** Blocks until the JVM is asked to stop (SIGTERM, Ctrl-C), then shuts down in order. */
    void awaitShutdown() throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down");
            close();
            stopped.countDown();
        }, "gatehouse-shutdown"));
        stopped.await();
    }

    @Override
    public void close() {
        control.close();
        if (admin != null) {
            admin.close();
        }
        server.close();
        observability.close();
    }
}
