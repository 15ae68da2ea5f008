package dev.gatehouse.proxy.l4;

import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.L4Log;
import dev.gatehouse.proxy.proxyprotocol.ClientAddress;
import dev.gatehouse.routing.route.L4PortRouter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.handler.timeout.IdleStateHandler;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The pipeline of a connection accepted on a TCP or TLS passthrough port. */
public final class L4Pipeline {
    /** A client that opens a TLS port and sends no complete ClientHello within this is closed. */
    static final long CLIENT_HELLO_TIMEOUT_MILLIS = 10_000;

    private L4Pipeline() {
    }

    /**
     * idle -> (TLS: SniPeek ->) BackendConnect; BackendConnect becomes a {@link ByteSplice} once connected.
     *
     * @param router the port's router in the current snapshot (the connection keeps it for its lifetime)
     */
    public static void init(Channel ch, L4PortRouter router, L4Settings settings) {
        L4Log log = settings.observer() == ExchangeObserver.NOOP ? null : new L4Log(
                ch.localAddress() instanceof InetSocketAddress a ? a.getPort() : 0, router.routesBySni() ? "tls" : "tcp",
                // a trusted PROXY header's source (read before this pipeline is built), else the peer
                ClientAddress.of(ch) instanceof InetSocketAddress r ? r : null, System.nanoTime(),
                System.currentTimeMillis());
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        if (router.routesBySni()) {
            ch.pipeline().addLast("sni", new SniPeek(router, settings, CLIENT_HELLO_TIMEOUT_MILLIS, log));
            return;
        }
        L4PortRouter.L4Backend backend = router.pick(null);
        if (backend == null || backend.cluster() == null) {
            if (backend != null && log != null) {
                log.routed(backend.route(), null);
            }
            ended(settings, log, L4Log.CloseReason.NO_ROUTE);
            ch.close();
            return;
        }
        if (log != null) {
            log.routed(backend.route(), backend.cluster().name());
        }
        ch.config().setAutoRead(false);
        ch.pipeline().addLast("connect", new BackendConnect(backend.cluster(), settings, log));
    }

    /** Ends the connection's log (once) with this reason and tells the observer; nothing without a log. */
    static void ended(L4Settings settings, L4Log log, L4Log.CloseReason reason) {
        if (log != null && log.end(reason, System.nanoTime())) {
            settings.observer().l4Closed(log);
        }
    }
}
