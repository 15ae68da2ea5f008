package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.proxy.balance.EndpointHealthRegistry;
import dev.gatehouse.proxy.balance.HealthPolicy;
import dev.gatehouse.proxy.health.HealthCheckOptions;
import dev.gatehouse.proxy.health.HealthChecker;
import dev.gatehouse.proxy.http.ProxyContext;
import dev.gatehouse.proxy.route.EncodedSlashPolicy;
import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.Observability;
import dev.gatehouse.proxy.runtime.RuntimeSnapshot;
import dev.gatehouse.proxy.runtime.SnapshotHolder;
import dev.gatehouse.proxy.upstream.UpstreamPools;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Owns the event loops and the listening sockets. {@link #apply} publishes a new snapshot and reconciles
 * the bound ports with it: new ports are bound, ports no longer declared are closed (their open
 * connections finish on their own), unchanged ports stay bound. Thread-safe; called by the control loop.
 *
 * <p>One {@link MultiThreadIoEventLoopGroup} accepts and serves (a separate boss thread only adds a thread);
 * threads = {@link ServerOptions#ioThreads()} or one per available processor.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

    private final ServerOptions options;
    private final Transport transport;
    private final EventLoopGroup group;
    private final SnapshotHolder snapshots;
    private final ServerBootstrap bootstrap;
    private final Map<Integer, Channel> listeners = new HashMap<>();
    private final ExchangeObserver observer;
    /** Long-lived: outlives every snapshot, so health survives reloads (see {@link EndpointHealthRegistry}). */
    private final EndpointHealthRegistry health = new EndpointHealthRegistry(HealthPolicy.passiveOnly());
    private HealthChecker healthChecker;
    private final ProxyContext context;
    private final ConnectionDrain connections = new ConnectionDrain();
    private boolean draining;
    private boolean closed;

    public GatewayServer(ServerOptions options) {
        this(options, Observability.defaults());
    }

    /** @param observability request ids, debug header, and the metrics/access-log/tracing observer */
    public GatewayServer(ServerOptions options, Observability observability) {
        this(options, observability, EncodedSlashPolicy.KEEP);
    }

    /** @param encodedSlashes what request path normalisation does with {@code %2F} */
    public GatewayServer(ServerOptions options, Observability observability, EncodedSlashPolicy encodedSlashes) {
        this.options = options;
        this.observer = observability.observer();
        this.transport = Transport.select();
        int threads = options.ioThreads() > 0 ? options.ioThreads() : Runtime.getRuntime().availableProcessors();
        this.group = new MultiThreadIoEventLoopGroup(threads, transport.ioHandlerFactory());
        this.snapshots = new SnapshotHolder(RuntimeSnapshot.empty());
        UpstreamPools pools = new UpstreamPools(group, transport.channelClass(), options.connectTimeout());
        this.context = new ProxyContext(snapshots, pools, options.defaultBackendTimeout(), observability,
                encodedSlashes);
        WriteBufferWaterMark watermarks = new WriteBufferWaterMark(32 * 1024, 64 * 1024);
        this.bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, watermarks)
                .childHandler(connections.tracking(
                        ConnectionCounter.wrap(observer, new FrontendInitializer(context, options, snapshots))));
        LOG.info("gateway server: {} event loop(s), transport {}", threads, transport.name());
    }

    public SnapshotHolder snapshots() {
        return snapshots;
    }

    /** Endpoint health, for the compiler (so balancers consult it), the admin API and metrics. */
    public EndpointHealthRegistry health() {
        return health;
    }

    /**
     * Starts active health checks on this server's event loops (they need the loops, so the server builds the
     * checker); without a call, only passive ejection runs. {@link HealthCheckOptions#disabled()} stops them.
     */
    public synchronized void healthChecks(HealthCheckOptions checks) {
        if (closed) {
            throw new IllegalStateException("server closed");
        }
        if (healthChecker != null) {
            healthChecker.close();
        }
        health.policy(checks.policy());
        healthChecker = new HealthChecker(group, transport.channelClass(), health, checks);
        healthChecker.sync();
    }

    /** @return the ports currently bound (sorted) */
    public synchronized Set<Integer> boundPorts() {
        return new TreeSet<>(listeners.keySet());
    }

    /**
     * Publishes the snapshot, then binds/unbinds ports. Blocks the caller (never an event loop) until binds finish.
     *
     * @throws java.io.UncheckedIOException naming the port when a bind fails; the snapshot stays published
     */
    public synchronized void apply(RuntimeSnapshot snapshot) {
        if (closed || draining) {
            throw new IllegalStateException("server closed");
        }
        // meters are bound to the compiled routes before any event loop can see them
        observer.bind(snapshot);
        snapshots.swap(snapshot);
        health.retain(snapshot.clusters().values());
        if (healthChecker != null) {
            healthChecker.sync();
        }
        Set<Integer> wanted = new TreeSet<>();
        for (PortSpec port : snapshot.source().ports()) {
            if (port.protocol() == Protocol.HTTP) {
                wanted.add(port.port());
            } else {
                LOG.info("port {}: protocol {} not supported yet, skipped", port.port(), port.protocol());
            }
        }
        for (Integer port : new TreeSet<>(listeners.keySet())) {
            if (!wanted.contains(port)) {
                Channel ch = listeners.remove(port);
                ch.close().syncUninterruptibly();
                LOG.info("port {}: closed", port);
            }
        }
        UncheckedIOException failure = null;
        for (Integer port : wanted) {
            if (listeners.containsKey(port)) {
                continue;
            }
            InetSocketAddress address = new InetSocketAddress(options.bindAddress(), port);
            ChannelFuture f = bootstrap.bind(address).awaitUninterruptibly();
            if (f.isSuccess()) {
                listeners.put(port, f.channel());
                LOG.info("port {}: listening on {}", port, address);
            } else if (failure == null) {
                Throwable cause = f.cause();
                String message = "cannot bind port " + port + " on " + options.bindAddress() + ": " + cause.getMessage();
                failure = new UncheckedIOException(message,
                        cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause));
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * The first half of a graceful stop: closes the listening sockets (new connections are refused), then lets
     * the open connections finish what they have in flight for up to {@code timeout} and closes the rest (see
     * {@link ConnectionDrain}). Blocks the caller; {@link #apply} is refused from here on; {@link #close} follows.
     */
    public void drain(Duration timeout) {
        synchronized (this) {
            if (closed || draining) {
                return;
            }
            draining = true;
            // before the listeners close, so no response that starts from here on promises keep-alive
            context.startDraining();
            for (Channel ch : listeners.values()) {
                ch.close().syncUninterruptibly();
            }
            LOG.info("stopped accepting connections on port(s) {}", new TreeSet<>(listeners.keySet()));
            listeners.clear();
        }
        // outside the lock: boundPorts (the admin API) must not wait for the drain
        connections.drain(timeout);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (healthChecker != null) {
            healthChecker.close();
        }
        for (Channel ch : listeners.values()) {
            ch.close().syncUninterruptibly();
        }
        listeners.clear();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
