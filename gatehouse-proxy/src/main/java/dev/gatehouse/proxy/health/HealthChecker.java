package dev.gatehouse.proxy.health;

import dev.gatehouse.routing.balance.EndpointHealth;
import dev.gatehouse.routing.balance.EndpointHealthRegistry;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Keeps one {@link EndpointProber} per endpoint of the registry (which {@link #sync} is told matches the served
 * snapshot), each pinned to one of the gateway's event loops, handed out in turn. No thread of its own: probes are
 * scheduled tasks and non-blocking connects, a few per interval per endpoint.
 *
 * <p>Thread-safe: {@link #sync} and {@link #close} run on the control thread; probers run on their loops.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final EventLoopGroup group;
    private final Class<? extends Channel> channelClass;
    private final EndpointHealthRegistry registry;
    private final HealthCheckOptions options;
    private final Map<InetSocketAddress, EndpointProber> probers = new HashMap<>();
    private boolean closed;

    public HealthChecker(EventLoopGroup group, Class<? extends Channel> channelClass, EndpointHealthRegistry registry,
                         HealthCheckOptions options) {
        this.group = group;
        this.channelClass = channelClass;
        this.registry = registry;
        this.options = options;
        if (options.active()) {
            LOG.info("health checks: TCP connect every {} ms, timeout {} ms, {} failures -> unhealthy, {} successes "
                            + "-> healthy", options.interval().toMillis(), options.timeout().toMillis(),
                    registry.policy().unhealthyThreshold(), registry.policy().healthyThreshold());
        } else {
            LOG.info("health checks: active checks off; {} failed requests within {} s eject an endpoint for {} s",
                    registry.policy().passiveFailures(), registry.policy().passiveWindow().toSeconds(),
                    registry.policy().ejectionTime().toSeconds());
        }
    }

    public EndpointHealthRegistry registry() {
        return registry;
    }

    public HealthCheckOptions options() {
        return options;
    }

    /**
     * Starts probing endpoints new to the registry and stops probing those that left it (or whose entry was
     * replaced). Call after {@link EndpointHealthRegistry#retain}.
     */
    public synchronized void sync() {
        if (closed || !options.active()) {
            return;
        }
        for (Iterator<Map.Entry<InetSocketAddress, EndpointProber>> it = probers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<InetSocketAddress, EndpointProber> e = it.next();
            if (registry.find(e.getKey()) != e.getValue().health()) {
                e.getValue().stop();
                it.remove();
            }
        }
        long interval = options.interval().toNanos();
        for (EndpointHealth health : registry.all()) {
            if (!probers.containsKey(health.address())) {
                EndpointProber prober = new EndpointProber(health, group.next(), channelClass, options);
                probers.put(health.address(), prober);
                prober.start(ThreadLocalRandom.current().nextLong(interval));
            }
        }
    }

    /** @return endpoints being probed (tests) */
    public synchronized int probing() {
        return probers.size();
    }

    /** Stops every probe; call before the event loops shut down. */
    @Override
    public synchronized void close() {
        closed = true;
        probers.values().forEach(EndpointProber::stop);
        probers.clear();
    }
}
