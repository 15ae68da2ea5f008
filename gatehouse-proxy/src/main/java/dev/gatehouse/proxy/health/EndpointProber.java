package dev.gatehouse.proxy.health;

import dev.gatehouse.ir.ActiveHealthCheckSpec;
import dev.gatehouse.routing.balance.EndpointHealth;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Probes one endpoint forever on one event loop, as its {@link ProbeTarget} says: a TCP connect, an HTTP request or a
 * gRPC health call, which must pass within the check's timeout (connect included); then the next probe
 * {@code interval} after this one ended (fixed delay, so a slow probe never overlaps the next), or the CLI check's
 * no-traffic interval while no request was routed to a cluster listing the endpoint. Every field but {@code stopped}
 * is touched on the loop only.
 */
final class EndpointProber {
    /** Handlers are added once connected (they need the probe's callback); Bootstrap insists on one before. */
    @ChannelHandler.Sharable
    private static final class Inert extends ChannelInboundHandlerAdapter {
    }

    private static final ChannelHandler INERT = new Inert();

    private final EndpointHealth health;
    private final ProbeTarget target;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final long intervalNanos;
    /** Longer than intervalNanos while the endpoint's clusters had no traffic, or 0: always intervalNanos. */
    private final long noTrafficNanos;
    private final long timeoutNanos;
    private volatile boolean stopped;
    private ScheduledFuture<?> next;
    private Attempt inFlight;

    /** @param noTrafficNanos the interval until the endpoint's clusters are routed to, or 0 (not slowed) */
    EndpointProber(EndpointHealth health, ProbeTarget target, EventLoop loop, Class<? extends Channel> channelClass,
                   long noTrafficNanos) {
        this.health = health;
        this.target = target;
        this.loop = loop;
        this.intervalNanos = target.check().interval().toNanos();
        this.noTrafficNanos = noTrafficNanos > intervalNanos ? noTrafficNanos : 0;
        this.timeoutNanos = target.check().timeout().toNanos();
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        Math.max(1, target.check().timeout().toMillis())))
                // a TCP check reads nothing; the others read one answer
                .option(ChannelOption.AUTO_READ, target.check().type() != ActiveHealthCheckSpec.Type.TCP)
                .handler(INERT);
    }

    EndpointHealth health() {
        return health;
    }

    ProbeTarget target() {
        return target;
    }

    /** @param initialDelayNanos spreads the first probes of many endpoints over one interval */
    void start(long initialDelayNanos) {
        if (noTrafficNanos != 0 && !health.routedTo()) {
            health.onFirstTraffic(this::firstTraffic);
        }
        execute(() -> schedule(initialDelayNanos));
    }

    /** A cluster listing the endpoint got its first request (any loop): a wait at the no-traffic interval ends now. */
    private void firstTraffic() {
        execute(() -> {
            if (!stopped && next != null && next.cancel(false)) {
                // spread over one interval: a large cluster's endpoints must not all connect at once
                schedule(ThreadLocalRandom.current().nextLong(intervalNanos));
            }
        });
    }

    /** The delay after a probe: the interval, or the no-traffic one while nobody routed to the endpoint. */
    private long delayNanos() {
        return noTrafficNanos != 0 && !health.routedTo() ? noTrafficNanos : intervalNanos;
    }

    /** Stops probing; an in-flight probe is closed and its result dropped. Any thread. */
    void stop() {
        stopped = true;
        execute(() -> {
            if (next != null) {
                next.cancel(false);
            }
            if (inFlight != null) {
                inFlight.channel.close();
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
        if (!stopped) {
            inFlight = new Attempt();
        }
    }

    /** One probe: connect, the protocol's exchange, one verdict (the first of success, failure or timeout). */
    private final class Attempt implements ProbeOutcome {
        private final Channel channel;
        private final ScheduledFuture<?> timer;
        private boolean finished;

        Attempt() {
            ChannelFuture f = bootstrap.connect(target.address());
            channel = f.channel();
            // a TCP check is its connect, whose own timeout says "connect timeout"; the others need the whole
            // exchange within the timeout
            timer = target.check().type() == ActiveHealthCheckSpec.Type.TCP ? null : loop.schedule(() -> done(
                    "timeout after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"), timeoutNanos,
                    TimeUnit.NANOSECONDS);
            f.addListener(x -> connected(f));
        }

        private void connected(ChannelFuture f) {
            if (finished) {
                return;
            }
            if (!f.isSuccess()) {
                if (f.isCancelled()) {
                    finished = true; // stopped
                } else {
                    done(ProbeFailures.describe(f.cause()));
                }
                return;
            }
            ActiveHealthCheckSpec.Type type = target.check().type();
            if (type == ActiveHealthCheckSpec.Type.TCP) {
                done(null);
                return;
            }
            if (target.tls() != null) {
                boolean grpc = type == ActiveHealthCheckSpec.Type.GRPC;
                SslHandler ssl = grpc ? target.tls().newH2Handler(channel.alloc(), target.address())
                        : target.tls().newHandler(channel.alloc(), target.address());
                channel.pipeline().addLast(ssl);
            }
            if (type == ActiveHealthCheckSpec.Type.HTTP) {
                HttpProbe.start(channel, target, this);
            } else {
                GrpcProbe.start(channel, target, this);
            }
        }

        @Override
        public void done(String failure) {
            if (finished) {
                return;
            }
            finished = true;
            if (timer != null) {
                timer.cancel(false);
            }
            channel.close();
            if (inFlight == this) {
                inFlight = null;
            }
            if (stopped) {
                return;
            }
            ActiveHealthCheckSpec check = target.check();
            if (failure == null) {
                health.probeSucceeded(check.healthyThreshold(), check.unhealthyThreshold());
            } else {
                health.probeFailed(failure, check.healthyThreshold(), check.unhealthyThreshold());
            }
            schedule(delayNanos());
        }
    }
}
