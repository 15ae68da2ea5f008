package dev.gatehouse.proxy.l4;

import dev.gatehouse.routing.route.L4PortRouter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.handler.timeout.IdleStateHandler;

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
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        if (router.routesBySni()) {
            ch.pipeline().addLast("sni", new SniPeek(router, settings, CLIENT_HELLO_TIMEOUT_MILLIS));
            return;
        }
        L4PortRouter.L4Backend backend = router.pick(null);
        if (backend == null || backend.cluster() == null) {
            ch.close();
            return;
        }
        ch.config().setAutoRead(false);
        ch.pipeline().addLast("connect", new BackendConnect(backend.cluster(), settings));
    }
}
