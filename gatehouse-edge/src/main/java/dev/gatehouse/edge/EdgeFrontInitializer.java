package dev.gatehouse.edge;

import dev.gatehouse.edge.relay.NodeRelay;
import dev.gatehouse.edge.relay.RelaySettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.TimeUnit;

/**
 * The pipeline of a connection accepted on one of the edge's listeners: idle timeout, the optional L7 gates, then
 * the relay to a node. Without a gate the relay connects as soon as the client is accepted; behind a gate it
 * connects when the first bytes the gate let through reach it.
 */
public final class EdgeFrontInitializer extends ChannelInitializer<Channel> {
    private final EdgeOptions options;
    private final int listenPort;
    private final RelaySettings relay;

    public EdgeFrontInitializer(EdgeOptions options, int listenPort, RelaySettings relay) {
        this.options = options;
        this.listenPort = listenPort;
        this.relay = relay;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        // half-close: a client that shuts its output still gets the node's answer (ByteSplice relays the FIN)
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        p.addLast("idle", new IdleStateHandler(0, 0, options.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        int before = p.names().size();
        gates(p, listenPort);
        boolean gated = p.names().size() > before;
        p.addLast("relay", new NodeRelay(relay, listenPort, gated));
    }

    /**
     * The L7 checks in front of the relay ({@code --allow-hosts}). A gate buffers what it reads until it has decided,
     * then forwards those bytes (the relay connects on the first of them) or closes the connection.
     */
    void gates(ChannelPipeline pipeline, int port) {
        // none yet: --allow-hosts adds its gate here
    }

    /** {@code --redirect-http}: the initializer of the port-80 listener that answers 301 to https instead. */
    static ChannelInitializer<Channel> httpRedirect(EdgeOptions options) {
        throw new UnsupportedOperationException("--redirect-http: not yet");
    }
}
