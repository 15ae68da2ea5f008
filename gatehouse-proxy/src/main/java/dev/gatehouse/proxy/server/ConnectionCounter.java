package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.observe.ExchangeObserver;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Tells the observer about accepted connections and their closing, in front of the frontend initializer so
 * the pipeline itself is untouched. Absent (the frontend initializer alone) when nothing observes.
 */
final class ConnectionCounter extends ChannelInitializer<Channel> {
    /** The listener protocol label; TLS listeners will say "HTTPS". */
    static final String PROTOCOL = "HTTP";

    private final ExchangeObserver observer;
    private final ChannelHandler frontend;

    private ConnectionCounter(ExchangeObserver observer, ChannelHandler frontend) {
        this.observer = observer;
        this.frontend = frontend;
    }

    static ChannelHandler wrap(ExchangeObserver observer, ChannelHandler frontend) {
        return observer == ExchangeObserver.NOOP ? frontend : new ConnectionCounter(observer, frontend);
    }

    @Override
    protected void initChannel(Channel ch) {
        SocketAddress a = ch.localAddress();
        int port = a instanceof InetSocketAddress ip ? ip.getPort() : 0;
        observer.connectionOpened(port, PROTOCOL);
        ch.closeFuture().addListener(f -> observer.connectionClosed(port, PROTOCOL));
        ch.pipeline().addLast(frontend);
    }
}
