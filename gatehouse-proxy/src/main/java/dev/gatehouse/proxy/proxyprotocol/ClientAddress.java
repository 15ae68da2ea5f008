package dev.gatehouse.proxy.proxyprotocol;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The client of a connection: the source a trusted balancer named in its PROXY header, else the socket's peer.
 * Every stage that names the client (X-Forwarded-For, Forwarded, the access log, filters, L4 logs) reads it here,
 * so none can disagree with another.
 */
public final class ClientAddress {
    private static final AttributeKey<InetSocketAddress> KEY = AttributeKey.valueOf(ClientAddress.class, "proxied");

    private ClientAddress() {
    }

    /** Called once, on the connection's loop, before any handler past the PROXY header runs. */
    static void set(Channel connection, InetSocketAddress client) {
        connection.attr(KEY).set(client);
    }

    /** @param ch a connection, or an h2 stream of one */
    public static SocketAddress of(Channel ch) {
        Channel connection = ch instanceof Http2StreamChannel ? ch.parent() : ch;
        InetSocketAddress proxied = connection.hasAttr(KEY) ? connection.attr(KEY).get() : null;
        return proxied != null ? proxied : connection.remoteAddress();
    }
}
