package dev.gatehouse.edge;

import dev.gatehouse.edge.gate.GateRefusals;
import dev.gatehouse.edge.gate.HostGates;
import dev.gatehouse.edge.gate.HttpsRedirect;
import dev.gatehouse.edge.relay.NodeRelay;
import dev.gatehouse.edge.relay.RelaySettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;

/**
 * The pipeline of a connection accepted on one of the edge's listeners: the optional L7 gates, then the relay to a
 * node (the node channel keeps the idle timeout). Without a gate the relay connects as soon as the client is
 * accepted; behind a gate it connects when the first bytes the gate let through reach it.
 * <p>
 * One instance serves every connection of a listener. Not a {@link ChannelInitializer}: that one guards against
 * initialising a channel twice with a concurrent set it adds each channel to and removes it from, per connection;
 * the listener adds this handler to a channel not yet registered, so Netty calls {@link #handlerAdded} once, on
 * the channel's loop, when it is registered.
 */
@ChannelHandler.Sharable
public final class EdgeFrontInitializer extends ChannelInboundHandlerAdapter {
    private final EdgeOptions options;
    private final int listenPort;
    private final RelaySettings relay;
    private final HostGates hostGates;

    /** @param refusals the edge's one count of --allow-hosts refusals (bound to its metrics), shared by its listeners */
    public EdgeFrontInitializer(EdgeOptions options, int listenPort, RelaySettings relay, GateRefusals refusals) {
        this.options = options;
        this.listenPort = listenPort;
        this.relay = relay;
        this.hostGates = HostGates.of(options.allowHosts(), refusals);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // ALLOW_HALF_CLOSURE is a child option of these listeners (EdgeServer): a client that shuts its output still
        // gets the node's answer (ByteSplice relays the FIN)
        // this handler's place goes to the first of them: one pipeline change less per connection than adding
        // them all and removing this one
        ChannelPipeline p = ctx.pipeline();
        NodeRelay nodeRelay = new NodeRelay(relay, listenPort, hostGates != null);
        if (hostGates != null) {
            // the L7 check in front of the relay (--allow-hosts): a gate buffers what it reads until it has
            // decided, then forwards those bytes (the relay connects on the first of them) or closes the connection
            p.replace(this, "gate", hostGates.newGate());
            p.addLast("relay", nodeRelay);
        } else {
            p.replace(this, "relay", nodeRelay);
        }
    }

    /** {@code --redirect-http}: the initializer of the port-80 listener that answers 301 to https instead. */
    static ChannelInitializer<Channel> httpRedirect(EdgeOptions options) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                HttpsRedirect.init(ch.pipeline(), HttpsRedirect.httpsPort(options.listen()),
                        options.idleTimeout().toSeconds());
            }
        };
    }
}
