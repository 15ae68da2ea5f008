package dev.gatehouse.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;

/**
 * The pipeline of a connection accepted on one of the edge's listeners: idle timeout, the optional L7 gates, then
 * the relay to a node. Without a gate the relay connects as soon as the client is accepted; behind a gate it
 * connects when the first bytes the gate let through reach it.
 */
public final class EdgeFrontInitializer extends ChannelInitializer<Channel> {
    private final EdgeOptions options;
    private final int listenPort;

    public EdgeFrontInitializer(EdgeOptions options, int listenPort) {
        this.options = options;
        this.listenPort = listenPort;
    }

    @Override
    protected void initChannel(Channel ch) {
        gates(ch.pipeline(), listenPort);
    }

    /**
     * The L7 checks in front of the relay ({@code --allow-hosts}). A gate buffers what it reads until it has decided,
     * then forwards those bytes (the relay connects on the first of them) or closes the connection.
     */
    void gates(ChannelPipeline pipeline, int port) {
        // none yet: --allow-hosts adds its gate here
    }
}
