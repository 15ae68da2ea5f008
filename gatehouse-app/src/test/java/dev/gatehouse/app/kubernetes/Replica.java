package dev.gatehouse.app.kubernetes;

import dev.gatehouse.app.control.ConfigLoader;
import dev.gatehouse.app.control.ControlLoop;
import dev.gatehouse.kubernetes.KubernetesController;
import dev.gatehouse.kubernetes.KubernetesSettings;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.proxy.server.ServerOptions;
import dev.gatehouse.translate.TranslatorOptions;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One gatehouse replica in controller mode, wired as {@code run --kubernetes} wires it (GatewayRuntime): the
 * informer source and status sink around the same control loop and data plane as standalone mode.
 */
final class Replica implements AutoCloseable {
    final GatewayServer server;
    final KubernetesController controller;
    final ControlLoop control;
    /** configs compiled and applied */
    final AtomicInteger applied = new AtomicInteger();

    /** @param bind a loopback address of its own (127.0.0.1, 127.0.0.2): replicas serve the same ports */
    Replica(KubernetesClient client, KubernetesSettings settings, String bind) throws Exception {
        server = new GatewayServer(ServerOptions.defaults().withBindAddress(bind).withIoThreads(1));
        controller = new KubernetesController(client, settings);
        control = new ControlLoop(controller.source(), controller.statusSink(), new ConfigLoader(
                new TranslatorOptions(settings.controllerName(), GatewayServer.SERVED_PROTOCOLS).leavingOutRefused()),
                server,
                Clock.systemUTC());
        control.addReloadListener((ok, generation) -> {
            if (ok) {
                applied.incrementAndGet();
            }
        });
        if (!control.start()) {
            throw new IllegalStateException("first config rejected: " + control.history());
        }
        controller.startLeaderElection();
    }

    @Override
    public void close() {
        control.close();
        controller.close();
        server.close();
    }
}
