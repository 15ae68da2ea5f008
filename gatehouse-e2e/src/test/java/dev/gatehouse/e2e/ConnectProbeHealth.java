package dev.gatehouse.e2e;

import dev.gatehouse.app.admin.EndpointHealth;
import dev.gatehouse.app.admin.EndpointHealthView;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A test stand-in for the data plane's health checker, shaped the way {@link EndpointHealthView} asks: probes
 * (a TCP connect every 300 ms) run on their own thread, and the view only reads the last verdict. It shows the
 * dashboard turning a chip red end to end while the real checker is not wired into the jar yet.
 */
final class ConnectProbeHealth implements EndpointHealthView, AutoCloseable {
    private final Map<InetSocketAddress, EndpointHealth> verdicts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-health-probe");
        t.setDaemon(true);
        return t;
    });

    ConnectProbeHealth(InetSocketAddress... endpoints) {
        prober.scheduleWithFixedDelay(() -> {
            for (InetSocketAddress ep : endpoints) {
                probe(ep);
            }
        }, 0, 300, TimeUnit.MILLISECONDS);
    }

    private void probe(InetSocketAddress ep) {
        EndpointHealth.State state;
        String error = null;
        try (Socket s = new Socket()) {
            s.connect(ep, 500);
            state = EndpointHealth.State.HEALTHY;
        } catch (IOException e) {
            state = EndpointHealth.State.UNHEALTHY;
            error = e.getMessage();
        }
        EndpointHealth previous = verdicts.get(ep);
        Instant since = previous != null && previous.state() == state ? previous.since() : Instant.now();
        verdicts.put(ep, new EndpointHealth(state, error, since));
    }

    @Override
    public EndpointHealth of(String cluster, InetSocketAddress endpoint) {
        return verdicts.getOrDefault(endpoint, EndpointHealth.UNKNOWN);
    }

    @Override
    public void close() {
        prober.shutdownNow();
    }
}
