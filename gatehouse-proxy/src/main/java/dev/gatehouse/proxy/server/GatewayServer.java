package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.balance.EndpointHealthRegistry;
import dev.gatehouse.routing.balance.HealthPolicy;
import dev.gatehouse.routing.ratelimit.RateLimiters;
import dev.gatehouse.proxy.health.HealthCheckOptions;
import dev.gatehouse.proxy.health.HealthChecker;
import dev.gatehouse.proxy.http.ProxyContext;
import dev.gatehouse.proxy.l4.DatagramRelay;
import dev.gatehouse.proxy.l4.L4Settings;
import dev.gatehouse.proxy.l4.UdpSettings;
import dev.gatehouse.routing.route.EncodedSlashPolicy;
import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.Observability;
import dev.gatehouse.proxy.resilience.CircuitBreakers;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.runtime.SnapshotHolder;
import dev.gatehouse.routing.tls.TlsProvider;
import dev.gatehouse.proxy.upstream.UpstreamPools;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Owns the event loops and the listening sockets. {@link #apply} publishes a new snapshot and reconciles
 * the bound ports with it: new ports are bound, ports no longer declared are closed (their open
 * connections finish on their own), unchanged ports stay bound. Thread-safe; called by the control loop.
 *
 * <p>A port that cannot be bound (in use, no permission) does not stop the others: it is reported by
 * {@link #unboundPorts()} with the reason and retried every {@link #BIND_RETRY_INTERVAL} on a thread of its own
 * (binding blocks, so never on an event loop) until it binds or leaves the config.
 *
 * <p>One {@link MultiThreadIoEventLoopGroup} accepts and serves (a separate boss thread only adds a thread);
 * threads = {@link ServerOptions#ioThreads()} or one per available processor.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);
    /**
     * The protocols this data plane binds. The translator is told the same set (TranslatorOptions) so that a
     * listener of any other protocol is reported as not programmed instead of silently skipped here.
     */
    public static final Set<Protocol> SERVED_PROTOCOLS = Set.of(Protocol.HTTP, Protocol.HTTPS, Protocol.TCP,
            Protocol.TLS, Protocol.UDP);
    public static final Duration BIND_RETRY_INTERVAL = Duration.ofSeconds(3);
    /** While a port stays unbindable for the same reason, a retry is logged once a minute, not every time. */
    private static final int RETRIES_PER_LOG = 20;
    /**
     * The largest read of a client connection (Netty's default stops at 64 KiB). An upload's reads fill their
     * buffer, so the guess grows to this within a few reads; a small request keeps a small buffer. As with the
     * upstream's reads (UpstreamPool.MAX_READ): each read costs a pipeline trip, a recv and a send upstream
     * besides the kernel's copies, and 256 KiB reads make a quarter of them per GiB (docs/performance.md,
     * "Session 12"). The decoder's chunk size matches, so a read's body goes up as one piece: one write.
     */
    static final int MAX_CLIENT_READ = 256 * 1024;
    /**
     * One receive-size policy for every client connection instead of the instance each channel's config makes for
     * itself (32 B per connection); each channel takes its own handle. The 16 reads per wake-up must be said: a new
     * instance reads ONE, and only the config's own gets the channel's default 16.
     */
    static final RecvByteBufAllocator CLIENT_READS =
            new AdaptiveRecvByteBufAllocator(64, 2048, MAX_CLIENT_READ).maxMessagesPerRead(16);

    private final ServerOptions options;
    private final Transport transport;
    private final EventLoopGroup group;
    private final SnapshotHolder snapshots;
    private final ServerBootstrap bootstrap;
    private final Map<Integer, Channel> listeners = new HashMap<>();
    /** The protocol each port of the current snapshot is (to be) bound for: UDP ports bind a datagram socket. */
    private final Map<Integer, Protocol> portProtocols = new HashMap<>();
    private volatile UdpSettings udp = UdpSettings.defaults();
    /** Ports of the current snapshot that are not bound, and why; the bindable ones are retried. */
    private final Map<Integer, Unbound> unbound = new TreeMap<>();
    private final ScheduledExecutorService bindRetries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gatehouse-bind-retry");
        t.setDaemon(true);
        return t;
    });
    private final ExchangeObserver observer;
    /** Long-lived: outlives every snapshot, so health survives reloads (see {@link EndpointHealthRegistry}). */
    private final EndpointHealthRegistry health = new EndpointHealthRegistry(HealthPolicy.passiveOnly());
    private final RateLimiters rateLimiters = new RateLimiters();
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
        UpstreamPools pools = new UpstreamPools(group, transport.channelClass(), options.connectTimeout(),
                options.upstreamIdleTimeout());
        this.context = new ProxyContext(snapshots, pools, observability, encodedSlashes);
        WriteBufferWaterMark watermarks = new WriteBufferWaterMark(32 * 1024, 64 * 1024);
        ConnectionCounter counter = ConnectionCounter.of(observer);
        this.bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, CLIENT_READS)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, watermarks)
                .childHandler(connections.tracking(counter, new FrontendInitializer(context, options, snapshots,
                        new L4Settings(transport.channelClass(), options.connectTimeout(),
                        L4Settings.DEFAULT_IDLE_TIMEOUT, observer, context.breakers()), counter)));
        LOG.info("gateway server: {} event loop(s), transport {}", threads, transport.name());
        LOG.info("TLS provider: {}", TlsProvider.describe());
        long retryMillis = BIND_RETRY_INTERVAL.toMillis();
        bindRetries.scheduleWithFixedDelay(this::retryUnbound, retryMillis, retryMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Why a port of the current snapshot is not bound.
     *
     * @param reason e.g. "port 8080 on 0.0.0.0: Address already in use"
     * @param retrying whether it is retried (false when its protocol is not served at all)
     * @param attempts failed binds so far
     */
    public record Unbound(String reason, boolean retrying, int attempts) { }

    public SnapshotHolder snapshots() {
        return snapshots;
    }

    /** Rate-limit buckets and the global store, for the compiler (so buckets outlive a snapshot). */
    public RateLimiters rateLimiters() {
        return rateLimiters;
    }

    /** Endpoint health, for the compiler (so balancers consult it), the admin API and metrics. */
    public EndpointHealthRegistry health() {
        return health;
    }

    /** The check probing {@code endpoint} ("HTTP GET /healthz over TLS", "TCP"), or {@code null}: admin. */
    public synchronized String healthCheckOf(InetSocketAddress endpoint) {
        return healthChecker == null ? null : healthChecker.checkOf(endpoint);
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
        healthChecker.sync(snapshots.current());
    }

    /** How UDP ports keep sessions; ports bound from now on use it (call before the first {@link #apply}). */
    public void udpSettings(UdpSettings settings) {
        this.udp = settings;
    }

    /** Endpoints {@code before} had in some cluster and {@code after} has in none (pod churn, a scaled-down Service). */
    private static Set<InetSocketAddress> removedEndpoints(RuntimeSnapshot before, RuntimeSnapshot after) {
        // only the endpoints of clusters that changed or went can be gone: the compiler keeps an unchanged instance
        Set<Cluster> kept = EndpointHealthRegistry.identitySet(after.clusters().values());
        Set<InetSocketAddress> gone = new HashSet<>();
        for (Cluster c : before.clusters().values()) {
            if (!kept.contains(c)) {
                gone.addAll(c.endpoints());
            }
        }
        if (gone.isEmpty()) {
            return gone;
        }
        for (Cluster c : after.clusters().values()) {
            gone.removeAll(c.endpoints());
        }
        return gone;
    }

    /** The per-cluster circuit breakers: what each cluster has in flight now. */
    public CircuitBreakers breakers() {
        return context.breakers();
    }

    /** @return the ports currently bound (sorted) */
    public synchronized Set<Integer> boundPorts() {
        return new TreeSet<>(listeners.keySet());
    }

    /** @return the snapshot's ports that are not bound (sorted), each with the reason */
    public synchronized Map<Integer, Unbound> unboundPorts() {
        return new TreeMap<>(unbound);
    }

    /**
     * Publishes the snapshot, then binds/unbinds ports. Blocks the caller (never an event loop) until binds finish.
     * A port that fails to bind is left to the retries and reported by {@link #unboundPorts()}; the other
     * ports are bound all the same.
     */
    public synchronized void apply(RuntimeSnapshot snapshot) {
        if (closed || draining) {
            throw new IllegalStateException("server closed");
        }
        // meters are bound to the compiled routes before any event loop can see them
        observer.bind(snapshot);
        RuntimeSnapshot previous = snapshots.swap(snapshot);
        if (previous != null) {
            context.pools().endpointsRemoved(removedEndpoints(previous, snapshot));
        }
        health.retain(snapshot.clusters().values());
        if (healthChecker == null) {
            // no CLI checks asked for: a BackendTrafficPolicy's healthCheck.active still runs
            healthChecks(HealthCheckOptions.disabled());
        } else {
            healthChecker.sync(snapshot);
        }
        Set<Integer> wanted = new TreeSet<>();
        Map<Integer, Unbound> before = new TreeMap<>(unbound);
        Map<Integer, Protocol> boundAs = new HashMap<>(portProtocols);
        unbound.clear();
        portProtocols.clear();
        for (PortSpec port : snapshot.source().ports()) {
            if (SERVED_PROTOCOLS.contains(port.protocol())) {
                wanted.add(port.port());
                portProtocols.put(port.port(), port.protocol());
            } else {
                // the translator leaves such listeners out; this only guards a snapshot built elsewhere
                unbound.put(port.port(), new Unbound("protocol " + port.protocol() + " is not served yet", false, 0));
                LOG.warn("port {}: protocol {} is not served yet; not bound", port.port(), port.protocol());
            }
        }
        for (Integer port : new TreeSet<>(listeners.keySet())) {
            // a port that turns from TCP to UDP or back needs the other kind of socket
            if (!wanted.contains(port) || isUdp(boundAs.get(port)) != isUdp(portProtocols.get(port))) {
                Channel ch = listeners.remove(port);
                ch.close().syncUninterruptibly();
                LOG.info("port {}: closed", port);
            }
        }
        for (Integer port : wanted) {
            if (!listeners.containsKey(port)) {
                bind(port, before.get(port));
            }
        }
    }

    private static boolean isUdp(Protocol p) {
        return p == Protocol.UDP;
    }

    /** Binds one port, or records why not; {@code previous} is the failure before this attempt, if any. */
    private void bind(int port, Unbound previous) {
        InetSocketAddress address = new InetSocketAddress(options.bindAddress(), port);
        ChannelFuture f = (isUdp(portProtocols.get(port)) ? datagramBootstrap(port) : bootstrap).bind(address)
                .awaitUninterruptibly();
        if (f.isSuccess()) {
            listeners.put(port, f.channel());
            unbound.remove(port);
            if (previous == null) {
                LOG.info("port {}: listening on {}", port, address);
            } else {
                LOG.info("port {}: listening on {} after {} failed attempt(s); its listeners are served now", port,
                        address, previous.attempts());
            }
            return;
        }
        String reason = "port " + port + " on " + options.bindAddress() + ": " + bindError(f.cause());
        Unbound now = new Unbound(reason, true, previous == null ? 1 : previous.attempts() + 1);
        unbound.put(port, now);
        if (previous == null || !previous.reason().equals(reason)) {
            LOG.warn("cannot bind {}; its listeners are not served; retrying every {}s", reason,
                    BIND_RETRY_INTERVAL.toSeconds());
        } else if (now.attempts() % RETRIES_PER_LOG == 0) {
            LOG.warn("still cannot bind {} after {} attempts; retrying every {}s", reason, now.attempts(),
                    BIND_RETRY_INTERVAL.toSeconds());
        } else {
            LOG.debug("retry {}: cannot bind {}", now.attempts(), reason);
        }
    }

    /**
     * A UDP port's socket: one channel on one event loop holds the port's sessions (a session's backend socket
     * joins that loop), with a receive buffer as large as a datagram can be. No SO_REUSEADDR: on UDP it would
     * let a second process bind the same port and split its datagrams instead of failing the bind.
     */
    private Bootstrap datagramBootstrap(int port) {
        return new Bootstrap()
                .group(group)
                .channel(transport.datagramChannelClass())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(UdpSettings.MAX_DATAGRAM))
                .handler(new DatagramRelay(port, snapshots, udp, transport.datagramChannelClass(), observer));
    }

    /** epoll says "bind(..) failed with error(-98): Address already in use", NIO "Address already in use". */
    private static String bindError(Throwable cause) {
        String m = String.valueOf(cause.getMessage());
        int colon = m.startsWith("bind(") ? m.lastIndexOf(": ") : -1;
        return colon < 0 ? m : m.substring(colon + 2);
    }

    /** On the retry thread: binds what has become bindable (a port freed by another process). */
    private synchronized void retryUnbound() {
        // a drain has closed every listener on purpose: a retry must not reopen one
        if (closed || draining) {
            return;
        }
        try {
            for (Map.Entry<Integer, Unbound> e : new TreeMap<>(unbound).entrySet()) {
                if (e.getValue().retrying()) {
                    bind(e.getKey(), e.getValue());
                }
            }
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again: keep retrying
            LOG.warn("bind retry failed", e);
        }
    }

    /**
     * The first half of a graceful stop: closes the listening sockets (new connections are refused), then lets
     * the open connections finish what they have in flight for up to {@code timeout} and closes the rest (see
     * {@link ConnectionDrain}). Blocks the caller; {@link #apply} is refused from here on; {@link #close} follows.
     */
    /**
     * The drain period begins: HTTP/1.1 responses say {@code Connection: close} from now on, so clients move to
     * other replicas while this one still accepts and serves (the listeners close later, in {@link #drain}).
     */
    public void announceDrain() {
        context.startDraining();
    }

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
        bindRetries.shutdownNow();
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
