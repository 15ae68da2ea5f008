package dev.gatehouse.proxy.l4;

import dev.gatehouse.proxy.proxyprotocol.ClientAddress;
import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.proxy.observe.L4Log;
import dev.gatehouse.proxy.resilience.ClusterBreaker;
import dev.gatehouse.routing.balance.Cluster;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Opens the backend connection of an accepted L4 connection, on the client's own event loop (no hand-off between
 * threads), with the client not reading meanwhile. Bytes already read (the ClientHello a TLS port peeked at) are
 * held and written first. Connected: replaced by a {@link ByteSplice} on each side. A failed connect closes the
 * client and counts against the endpoint's passive health.
 */
final class BackendConnect extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(BackendConnect.class);
    /** Same watermarks as the accepted side, so both directions buffer at most ~64 KiB before pushing back. */
    private static final WriteBufferWaterMark WATERMARKS = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final Cluster cluster;
    private final L4Settings settings;
    private final L4Log log;
    private final ArrayDeque<Object> pending = new ArrayDeque<>(2);
    private boolean started;

    /** @param log the connection's log, or {@code null} when nothing observes */
    BackendConnect(Cluster cluster, L4Settings settings, L4Log log) {
        this.cluster = cluster;
        this.settings = settings;
        this.log = log;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (started) {
            return;
        }
        started = true;
        Channel client = ctx.channel();
        client.config().setAutoRead(false);
        InetSocketAddress endpoint = cluster.pick();
        if (endpoint == null) {
            LOG.debug("{}: cluster {} has no endpoint; closing", ClientAddress.of(client), cluster.name());
            L4Pipeline.ended(settings, log, L4Log.CloseReason.NO_ROUTE);
            client.close();
            return;
        }
        // a BackendTrafficPolicy's circuitBreaker.maxConnections and timeout.tcp.connectTimeout apply to relayed
        // connections as to HTTP ones
        BackendTrafficSpec traffic = cluster.spec() == null ? null : cluster.spec().traffic();
        ClusterBreaker breaker = settings.breakers().of(cluster);
        String refused = breaker.tryConnection(traffic == null ? null : traffic.circuitBreaker(), endpoint);
        if (refused != null) {
            LOG.debug("{}: cluster {} is at its {} limit; closing", ClientAddress.of(client), cluster.name(), refused);
            settings.observer().upstreamOverflow(cluster.name(), refused);
            L4Pipeline.ended(settings, log, L4Log.CloseReason.BACKEND_UNREACHABLE);
            client.close();
            return;
        }
        Duration connectTimeout = traffic != null && traffic.timeout() != null
                && traffic.timeout().connectTimeout() != null ? traffic.timeout().connectTimeout()
                : settings.connectTimeout();
        ChannelFuture connect = new Bootstrap()
                .group(client.eventLoop())
                .channel(settings.channelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                        connectTimeout.toMillis())))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATERMARKS)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(endpoint);
        if (log != null) {
            log.endpoint(endpoint);
        }
        connect.channel().closeFuture().addListener(f -> breaker.releaseConnection(endpoint));
        client.closeFuture().addListener(f -> connect.channel().close());
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                cluster.reportFailure(endpoint, "connect failed: " + f.cause().getMessage());
                LOG.debug("{}: connect to {} failed: {}", ClientAddress.of(client), endpoint, f.cause().toString());
                L4Pipeline.ended(settings, log, L4Log.CloseReason.BACKEND_UNREACHABLE);
                client.close();
                return;
            }
            if (!client.isActive()) {
                L4Pipeline.ended(settings, log, L4Log.CloseReason.CLIENT_CLOSED);
                connect.channel().close();
                return;
            }
            Channel backend = connect.channel();
            for (Object msg = pending.poll(); msg != null; msg = pending.poll()) {
                if (log != null && msg instanceof ByteBuf b) {
                    // read before the backend connected: a peeked ClientHello, bytes behind a PROXY header
                    log.addIn(b.readableBytes());
                }
                backend.write(msg, backend.voidPromise());
            }
            backend.flush();
            ctx.pipeline().remove(this);
            if (log != null) {
                settings.observer().l4Opened(log);
            }
            ByteSplice.join(client, backend, log == null ? null : new ByteSplice.Tally(log, settings));
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        pending.add(msg);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    private void release() {
        for (Object msg = pending.poll(); msg != null; msg = pending.poll()) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
