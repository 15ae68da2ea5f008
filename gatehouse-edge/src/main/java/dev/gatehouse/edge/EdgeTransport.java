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
 * <p>
 * On io_uring the edge asks Netty for single-shot read polls ({@link #POLL_ADD_MULTISHOT}): Netty arms a POLLIN
 * poll before a channel's reads, and a multishot one stays armed, so each time it fires the kernel queues task work
 * for it and it has to be cancelled at close. For a relayed connection (two channels, a few reads each, then
 * closed) that was 16 io_uring operations and 4.6 task-work additions per connection; single-shot, 14 and 0.5,
 * and 5 % less CPU per connection (docs/edge.md, Session 13). An operator's own {@code -D} setting wins; it only
 * takes effect when set before Netty's {@link IoUring} class loads, which in {@code gatehouse edge} is here.
 */
record EdgeTransport(String name, IoHandlerFactory ioHandlerFactory, Class<? extends ServerChannel> serverChannelClass,
                     Class<? extends Channel> channelClass) {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeTransport.class);
    /** Netty's switch for multishot POLL_ADD on io_uring (read once, when {@link IoUring} is loaded). */
    static final String POLL_ADD_MULTISHOT = "io.netty.iouring.pollAddMultishotEnabled";

    static EdgeTransport select(EdgeOptions.Transport wanted) {
        boolean auto = wanted == EdgeOptions.Transport.AUTO;
        if (auto || wanted == EdgeOptions.Transport.IO_URING) {
            if (System.getProperty(POLL_ADD_MULTISHOT) == null) {
                System.setProperty(POLL_ADD_MULTISHOT, "false");
            }
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
