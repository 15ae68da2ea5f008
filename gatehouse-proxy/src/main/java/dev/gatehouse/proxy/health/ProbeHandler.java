package dev.gatehouse.proxy.health;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** A probe's protocol handler: a close or an error before the verdict fails the probe. */
abstract class ProbeHandler extends ChannelInboundHandlerAdapter {
    final ProbeOutcome outcome;
    private final String closedEarly;

    /** @param closedEarly the failure when the channel closes before the verdict */
    ProbeHandler(ProbeOutcome outcome, String closedEarly) {
        this.outcome = outcome;
        this.closedEarly = closedEarly;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        outcome.done(closedEarly);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        outcome.done(ProbeFailures.describe(cause));
    }
}
