package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.observe.ExchangeObserver;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Tells the observer about accepted connections, the protocol they speak and their closing
 * ({@link ConnectionDrain#tracking} calls it), so the pipeline itself is untouched. Absent (null) when nothing
 * observes. A connection is counted as {@link #HTTP1} from its accept (before its first bytes nobody knows better)
 * and moved to {@link #H2} when the frontend switches it ({@link #switchedToHttp2}); every open is closed exactly
 * once, under the protocol it was last opened with. Accept, switch and close all run on the connection's event
 * loop. Nothing is kept per HTTP/1.1 connection (the port is the channel's, read again at close): only an h2
 * connection carries a mark, which says at close that it was moved.
 */
final class ConnectionCounter {
    static final String HTTP1 = "http/1.1";
    static final String H2 = "h2";
    private static final AttributeKey<Boolean> MOVED_TO_H2 = AttributeKey.valueOf(ConnectionCounter.class, "h2");

    private final ExchangeObserver observer;

    private ConnectionCounter(ExchangeObserver observer) {
        this.observer = observer;
    }

    /** @return null when nothing observes */
    static ConnectionCounter of(ExchangeObserver observer) {
        return observer == ExchangeObserver.NOOP ? null : new ConnectionCounter(observer);
    }

    void opened(Channel ch) {
        observer.connectionOpened(port(ch), HTTP1);
    }

    /** From the connection's close future: once per connection. */
    void closed(Channel ch) {
        observer.connectionClosed(port(ch), ch.hasAttr(MOVED_TO_H2) ? H2 : HTTP1);
    }

    /** The connection now speaks h2 (prior knowledge or h2c upgrade); nothing once it is closed (and counted). */
    void switchedToHttp2(Channel ch) {
        if (!ch.isOpen() || ch.hasAttr(MOVED_TO_H2)) {
            return;
        }
        ch.attr(MOVED_TO_H2).set(Boolean.TRUE);
        int port = port(ch);
        observer.connectionClosed(port, HTTP1);
        observer.connectionOpened(port, H2);
    }

    private static int port(Channel ch) {
        SocketAddress a = ch.localAddress();
        return a instanceof InetSocketAddress ip ? ip.getPort() : 0;
    }
}
