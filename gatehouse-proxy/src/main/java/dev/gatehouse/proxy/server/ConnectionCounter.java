package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.observe.ExchangeObserver;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.util.AttributeKey;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Tells the observer about accepted connections, the protocol they speak and their closing, in front of the
 * frontend initializer so the pipeline itself is untouched. Absent (the frontend initializer alone) when nothing
 * observes. A connection is counted as {@link #HTTP1} from its accept (before its first bytes nobody knows better)
 * and moved to {@link #H2} when the frontend switches it ({@link #switchedToHttp2}); every open is closed exactly
 * once, under the protocol it was last opened with. Accept, switch and close all run on the connection's event
 * loop, so the per-connection state needs no synchronisation.
 */
final class ConnectionCounter extends ChannelInitializer<Channel> {
    static final String HTTP1 = "http/1.1";
    static final String H2 = "h2";
    private static final AttributeKey<Counted> COUNTED = AttributeKey.valueOf(ConnectionCounter.class, "counted");

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
        Counted counted = new Counted(observer, port);
        ch.attr(COUNTED).set(counted);
        observer.connectionOpened(port, HTTP1);
        ch.closeFuture().addListener(counted);
        ch.pipeline().addLast(frontend);
    }

    /** The connection now speaks h2 (prior knowledge or h2c upgrade); nothing when it is not counted. */
    static void switchedToHttp2(Channel ch) {
        if (ch.hasAttr(COUNTED)) {
            Counted counted = ch.attr(COUNTED).get();
            if (counted != null) {
                counted.toHttp2();
            }
        }
    }

    /** One connection's place in the gauges. */
    private static final class Counted implements ChannelFutureListener {
        private final ExchangeObserver observer;
        private final int port;
        private String protocol = HTTP1;
        private boolean closed;

        Counted(ExchangeObserver observer, int port) {
            this.observer = observer;
            this.port = port;
        }

        void toHttp2() {
            if (closed || protocol == H2) {
                return;
            }
            observer.connectionClosed(port, HTTP1);
            protocol = H2;
            observer.connectionOpened(port, H2);
        }

        @Override
        public void operationComplete(ChannelFuture future) {
            if (!closed) {
                closed = true;
                observer.connectionClosed(port, protocol);
            }
        }
    }
}
