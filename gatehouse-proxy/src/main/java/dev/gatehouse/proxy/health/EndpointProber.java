package dev.gatehouse.proxy.health;

import dev.gatehouse.routing.balance.EndpointHealth;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Probes one endpoint forever on one event loop: a non-blocking TCP connect that must succeed within the timeout,
 * closed at once, then the next probe {@code interval} after this one ended (fixed delay, so a slow probe never
 * overlaps the next). Every field but {@code stopped} is touched on the loop only.
 */
final class EndpointProber {
    /** The probe reads nothing, so the channel needs no handler but Bootstrap insists on one. */
    @ChannelHandler.Sharable
    private static final class Inert extends ChannelInboundHandlerAdapter {
    }

    private static final ChannelHandler INERT = new Inert();

    private final EndpointHealth health;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final long intervalNanos;
    private volatile boolean stopped;
    private ScheduledFuture<?> next;
    private Channel inFlight;

    EndpointProber(EndpointHealth health, EventLoop loop, Class<? extends Channel> channelClass,
                   HealthCheckOptions options) {
        this.health = health;
        this.loop = loop;
        this.intervalNanos = options.interval().toNanos();
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, options.timeout().toMillis()))
                .option(ChannelOption.AUTO_READ, false)
                .handler(INERT);
    }

    EndpointHealth health() {
        return health;
    }

    /** @param initialDelayNanos spreads the first probes of many endpoints over one interval */
    void start(long initialDelayNanos) {
        execute(() -> schedule(initialDelayNanos));
    }

    /** Stops probing; an in-flight probe is closed and its result dropped. Any thread. */
    void stop() {
        stopped = true;
        execute(() -> {
            if (next != null) {
                next.cancel(false);
            }
            if (inFlight != null) {
                inFlight.close();
            }
        });
    }

    private void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            stopped = true; // the loops are shutting down: nothing left to probe with
        }
    }

    private void schedule(long delayNanos) {
        if (!stopped) {
            next = loop.schedule(this::probe, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void probe() {
        if (stopped) {
            return;
        }
        ChannelFuture f = bootstrap.connect(health.address());
        inFlight = f.channel();
        f.addListener(done -> onProbeDone(f));
    }

    private void onProbeDone(ChannelFuture f) {
        inFlight = null;
        if (f.isSuccess()) {
            f.channel().close();
        }
        if (stopped) {
            return;
        }
        if (f.isSuccess()) {
            health.probeSucceeded();
        } else if (!f.isCancelled()) {
            health.probeFailed(ProbeFailures.describe(f.cause()));
        }
        schedule(intervalNanos);
    }
}
