package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.http1.StrictHttpServerCodec;
import dev.gatehouse.proxy.http1.UpstreamHttp1Codec;
import dev.gatehouse.proxy.upstream.UpstreamHandler;
import dev.gatehouse.proxy.l4.ByteSplice;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;

/**
 * After a 101 to a WebSocket handshake: raw bytes both ways, no HTTP codecs. The HTTP handlers of both
 * channels give way to a {@link ByteSplice} on each side (the L4 relay's, with its back-pressure).
 */
final class WebSocketSplice {
    private WebSocketSplice() {
    }

    /** Replaces the HTTP handlers of both channels by a splice; call on their (shared) event loop. */
    static void join(Channel client, Channel upstream) {
        ChannelPipeline cp = client.pipeline();
        cp.addLast("websocket-splice", ByteSplice.to(upstream));
        removeIfPresent(cp, HttpProxyHandler.class);
        removeIfPresent(cp, HttpServerUpgradeHandler.class);
        // last: its decoder hands any bytes it still holds to the splice when removed
        removeIfPresent(cp, StrictHttpServerCodec.class);

        ChannelPipeline up = upstream.pipeline();
        up.addLast("websocket-splice", ByteSplice.to(client));
        removeIfPresent(up, UpstreamHandler.class);
        removeIfPresent(up, UpstreamHttp1Codec.class);
        client.config().setAutoRead(upstream.isWritable());
        upstream.config().setAutoRead(client.isWritable());
    }

    private static void removeIfPresent(ChannelPipeline pipeline, Class<? extends ChannelHandler> type) {
        ChannelHandler h = pipeline.get(type);
        if (h != null) {
            pipeline.remove(h);
        }
    }
}
