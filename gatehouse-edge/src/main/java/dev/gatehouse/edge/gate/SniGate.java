package dev.gatehouse.edge.gate;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.concurrent.Future;

/**
 * The TLS half of {@link HostGate}: Netty reads the ClientHello (bounded by {@code maxClientHello}) and its SNI
 * name without terminating TLS; an allowed name lets the buffered ClientHello through to the node, anything else
 * (no SNI, a name not allowed, not a ClientHello) closes the connection: there is no TLS alert to send without a
 * certificate, and TLS stays end to end.
 */
final class SniGate extends AbstractSniHandler<Boolean> {
    private final AllowedHosts allowed;
    private final GateRefusals refusals;
    private final HostGate.GateDecision decision;

    SniGate(AllowedHosts allowed, GateRefusals refusals, HostGate.GateDecision decision, int maxClientHello) {
        // no timeout of its own: HostGate's covers the whole ClientHello
        super(maxClientHello, 0);
        this.allowed = allowed;
        this.refusals = refusals;
        this.decision = decision;
    }

    @Override
    protected Future<Boolean> lookup(ChannelHandlerContext ctx, String hostname) {
        return ctx.executor().newSucceededFuture(hostname != null && allowed.allows(hostname));
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<Boolean> future) {
        if (!decision.pending()) {
            return;
        }
        if (Boolean.TRUE.equals(future.getNow())) {
            decision.allow();
            // removing a decoder passes the bytes it buffered (the ClientHello) to the next handler
            ctx.pipeline().remove(this);
            return;
        }
        decision.refuse(hostname == null ? GateRefusals.Reason.NO_HOST : GateRefusals.Reason.HOST_NOT_ALLOWED,
                refusals);
        ctx.close();
    }
}
