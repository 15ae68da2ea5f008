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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty transport of {@code --transport}. {@code auto} takes io_uring first: a relayed connection costs the edge
 * about a fifth less CPU than on epoll (no epoll_ctl per interest change, the accept, connect, reads, writes and
 * closes batched into a few io_uring_enter calls; docs/edge.md, Performance), then epoll, then NIO. Netty says why
 * a native transport is missing only at DEBUG, so each fallback and its cause are logged here; a transport asked
 * for by name that cannot load is an error.
 */
record EdgeTransport(String name, IoHandlerFactory ioHandlerFactory, Class<? extends ServerChannel> serverChannelClass,
                     Class<? extends Channel> channelClass) {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeTransport.class);

    static EdgeTransport select(EdgeOptions.Transport wanted) {
        boolean auto = wanted == EdgeOptions.Transport.AUTO;
        if (auto || wanted == EdgeOptions.Transport.IO_URING) {
            if (IoUring.isAvailable()) {
                return new EdgeTransport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                        IoUringSocketChannel.class);
            }
            unavailable("io_uring", IoUring.unavailabilityCause(), auto);
        }
        if (auto || wanted == EdgeOptions.Transport.EPOLL) {
            if (Epoll.isAvailable()) {
                return new EdgeTransport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                        EpollSocketChannel.class);
            }
            unavailable("epoll", Epoll.unavailabilityCause(), auto);
        }
        return new EdgeTransport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class,
                NioSocketChannel.class);
    }

    private static void unavailable(String name, Throwable cause, boolean fallBack) {
        if (!fallBack) {
            throw new IllegalStateException("--transport " + name + ": unavailable here (" + cause + ")", cause);
        }
        LOG.info("edge: {} unavailable ({}); trying the next transport", name, String.valueOf(cause));
    }
}
