package dev.gatehouse.proxy.l4;

import dev.gatehouse.proxy.observe.L4Log;
import dev.gatehouse.routing.route.L4PortRouter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.concurrent.Future;

/**
 * Reads the SNI name of a ClientHello without terminating TLS (Netty parses it and keeps the bytes), picks the
 * TLSRoute backend for that name, then hands the buffered ClientHello and everything after it to a
 * {@link BackendConnect} (through an SslHandler first when the route's listener terminates TLS). No SNI, no route for the name, or an invalid backend: the connection is closed.
 */
final class SniPeek extends AbstractSniHandler<L4PortRouter.L4Backend> {
    private final L4PortRouter router;
    private final L4Settings settings;
    private final L4Log log;

    SniPeek(L4PortRouter router, L4Settings settings, long handshakeTimeoutMillis, L4Log log) {
        super(handshakeTimeoutMillis);
        this.router = router;
        this.settings = settings;
        this.log = log;
    }

    @Override
    protected Future<L4PortRouter.L4Backend> lookup(ChannelHandlerContext ctx, String hostname) {
        return ctx.executor().newSucceededFuture(hostname == null ? null : router.pick(hostname));
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname,
                                    Future<L4PortRouter.L4Backend> future) {
        L4PortRouter.L4Backend backend = future.getNow();
        if (log != null) {
            log.serverName(hostname);
            if (backend != null) {
                log.routed(backend.route(), backend.cluster() == null ? null : backend.cluster().name());
            }
        }
        if (backend == null || backend.cluster() == null) {
            L4Pipeline.ended(settings, log, L4Log.CloseReason.NO_ROUTE);
            ctx.close();
            return;
        }
        ctx.pipeline().addAfter(ctx.name(), "connect", new BackendConnect(backend.cluster(), settings, log));
        if (backend.terminate() != null) {
            // mode Terminate: the backend gets the decrypted bytes; the handshake runs while it connects
            ctx.pipeline().addAfter(ctx.name(), "tls", backend.terminate().newHandler(ctx.alloc()));
        }
        // removing a decoder passes the bytes it buffered (the ClientHello) to the next handler
        ctx.pipeline().remove(this);
    }
}
