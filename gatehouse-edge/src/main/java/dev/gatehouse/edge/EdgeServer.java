package dev.gatehouse.edge;

import dev.gatehouse.edge.admin.EdgeAdmin;
import dev.gatehouse.edge.gate.GateRefusals;
import dev.gatehouse.edge.health.HealthChecks;
import dev.gatehouse.edge.pool.NodePool;
import dev.gatehouse.edge.pool.NodeSource;
import dev.gatehouse.edge.relay.NodeRelay;
import dev.gatehouse.edge.relay.RelaySettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code gatehouse edge} running: the listeners, the pool fed by a {@link NodeSource}, the health checks and the
 * admin listener. Each accepted connection and its node connection live on one event loop.
 */
public final class EdgeServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeServer.class);

    private final EdgeTransport transport;
    private final EventLoopGroup group;
    private final NodeSource source;
    private final NodePool pool;
    private final HealthChecks health;
    private final PrometheusMeterRegistry registry;
    private final List<Channel> listeners = new ArrayList<>();
    private Channel admin;
    private volatile boolean listening;

    private EdgeServer(EdgeOptions options, NodeSource source) {
        this.transport = EdgeTransport.select(options.transport());
        // one group accepts and serves, one loop per available processor (as GatewayServer): a separate boss loop
        // and Netty's default of 2 loops per processor cost a cross-thread hand-off (a wake-up) per accepted
        // connection and context switches between loops that share the edge's core
        int threads = Runtime.getRuntime().availableProcessors();
        this.group = new MultiThreadIoEventLoopGroup(threads, transport.ioHandlerFactory());
        this.source = source;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.pool = new NodePool(options.balance(), options.healthCheck(), registry);
        this.health = new HealthChecks(group, transport.channelClass(), options);
        LOG.info("edge: transport {}, {} event loop(s), balance {}, PROXY protocol {}", transport.name(), threads,
                options.balance().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                options.proxyProtocol().name().toLowerCase(Locale.ROOT));
    }

    /**
     * Starts following the nodes, binds the admin listener and every {@code --listen} address.
     *
     * @throws Exception a listener that cannot bind, a node source that cannot start (all is closed again)
     */
    public static EdgeServer start(EdgeOptions options, NodeSource source) throws Exception {
        EdgeServer server = new EdgeServer(options, source);
        try {
            server.bind(options);
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void bind(EdgeOptions options) throws Exception {
        source.start(set -> health.sync(pool.update(set)));
        RelaySettings relay = new RelaySettings(pool, transport.channelClass(), options.connectTimeout(),
                options.idleTimeout(), options.proxyProtocol(), Counter.builder("gatehouse.edge.connections.refused")
                        .description("Client connections closed because no node could be reached").register(registry));
        GateRefusals refusals = new GateRefusals();
        refusals.bindTo(registry);
        if (options.admin() != null) {
            admin = new ServerBootstrap().group(group).channel(transport.serverChannelClass())
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                                    new EdgeAdmin(pool, registry, () -> listening));
                        }
                    })
                    .bind(options.admin()).sync().channel();
            LOG.info("edge admin on http://{}/ (/ready, /metrics, /nodes)", hostPort(admin));
        }
        for (InetSocketAddress address : options.listen()) {
            int port = address.getPort();
            boolean redirect = options.redirectHttp() && port == 80;
            ChannelHandler init = redirect ? EdgeFrontInitializer.httpRedirect(options)
                    : new EdgeFrontInitializer(options, port, relay, refusals);
            Channel ch = new ServerBootstrap().group(group).channel(transport.serverChannelClass())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    // relayed clients half-close (set per channel, it was an option map look-up per connection)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, !redirect)
                    // TCP_NODELAY: Netty's default on accepted and connected sockets; setting it again is a syscall
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, NodeRelay.WATERMARKS)
                    .childHandler(init)
                    .bind(address).sync().channel();
            listeners.add(ch);
            LOG.info("edge listening on {} -> node port {}", hostPort(ch), pool.snapshot().nodePorts().get(port));
        }
        listening = true;
    }

    private static String hostPort(Channel ch) {
        InetSocketAddress a = (InetSocketAddress) ch.localAddress();
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    public NodePool pool() {
        return pool;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The bound listen addresses (port 0 resolved), in {@code --listen} order. */
    public List<InetSocketAddress> listenAddresses() {
        return listeners.stream().map(c -> (InetSocketAddress) c.localAddress()).toList();
    }

    /** @return the bound admin address, or {@code null} without one */
    public InetSocketAddress adminAddress() {
        return admin == null ? null : (InetSocketAddress) admin.localAddress();
    }

    /** Stops accepting, stops the checks and the source; open connections end with the event loops. */
    @Override
    public void close() {
        listening = false;
        for (Channel ch : listeners) {
            ch.close().awaitUninterruptibly();
        }
        if (admin != null) {
            admin.close().awaitUninterruptibly();
        }
        health.close();
        source.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
