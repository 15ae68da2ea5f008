package dev.gatehouse.edge;

import dev.gatehouse.edge.gate.GateRefusals;
import dev.gatehouse.edge.gate.HostGates;
import dev.gatehouse.edge.gate.HttpsRedirect;
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
    private final HostGates hostGates;

    /** With refusals counted but not exported: give every listener one shared, bound {@link GateRefusals}. */
    public EdgeFrontInitializer(EdgeOptions options, int listenPort) {
        this(options, listenPort, new GateRefusals());
    }

    /** @param refusals the edge's one count of --allow-hosts refusals (bound to its metrics) */
    public EdgeFrontInitializer(EdgeOptions options, int listenPort, GateRefusals refusals) {
        this.options = options;
        this.listenPort = listenPort;
        this.hostGates = HostGates.of(options.allowHosts(), refusals);
    }

    @Override
    protected void initChannel(Channel ch) {
        if (options.redirectHttp() && listenPort == 80) {
            HttpsRedirect.init(ch.pipeline(), HttpsRedirect.httpsPort(options.listen()), options.idleTimeout().toSeconds());
            return;
        }
        gates(ch.pipeline(), listenPort);
    }

    /**
     * The L7 checks in front of the relay ({@code --allow-hosts}). A gate buffers what it reads until it has decided,
     * then forwards those bytes (the relay connects on the first of them) or closes the connection.
     */
    void gates(ChannelPipeline pipeline, int port) {
        if (hostGates != null) {
            pipeline.addLast("gate", hostGates.newGate());
        }
    }
}
