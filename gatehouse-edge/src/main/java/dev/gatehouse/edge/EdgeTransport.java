package dev.gatehouse.edge;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.slf4j.LoggerFactory;

/**
 * Native epoll when it loads (the relay's throughput), else NIO. Netty says why epoll is missing only at DEBUG, so
 * the fallback and its cause are logged here.
 */
record EdgeTransport(String name, IoHandlerFactory ioHandlerFactory, Class<? extends ServerChannel> serverChannelClass,
                     Class<? extends Channel> channelClass) {
    static EdgeTransport select() {
        if (Epoll.isAvailable()) {
            return new EdgeTransport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                    EpollSocketChannel.class);
        }
        LoggerFactory.getLogger(EdgeTransport.class).info("edge: epoll unavailable ({}); using NIO",
                String.valueOf(Epoll.unavailabilityCause()));
        return new EdgeTransport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class,
                NioSocketChannel.class);
    }
}
