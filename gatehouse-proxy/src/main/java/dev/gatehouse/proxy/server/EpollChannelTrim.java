package dev.gatehouse.proxy.server;

import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What Netty's epoll channel keeps per connection that an idle keep-alive connection does not need, given back
 * through {@link VarHandle}s on Netty's private fields, since {@code EpollSocketChannel} is final (no subclass can
 * skip them):
 * <ul>
 *   <li>its local address, asked of the kernel at accept (about 96 B: the {@code InetSocketAddress}, its holder,
 *       the {@code Inet4Address} and its holder): connections accepted on one address share one object;</li>
 *   <li>its receive-size handles (about 176 B: the adaptive sizing, the epoll wrapper and their suppliers): dropped
 *       while the connection is quiet, Netty makes new ones at the next read, which starts from the initial size as
 *       after an accept.</li>
 * </ul>
 * On NIO, or if a Netty upgrade renames a field, connections keep theirs ({@link #available()}, which
 * {@code EpollChannelTrimTest} checks on epoll).
 */
final class EpollChannelTrim {
    private static final Logger LOG = LoggerFactory.getLogger(EpollChannelTrim.class);
    /** Listening addresses are few; past this many (ports come and go), new ones are not shared. */
    private static final int MAX_SHARED = 1024;
    private static final Map<SocketAddress, SocketAddress> SHARED = new ConcurrentHashMap<>();
    private static final Class<?> CHANNEL;
    private static final VarHandle LOCAL;
    private static final Class<?> UNSAFE;
    private static final VarHandle EPOLL_HANDLE;
    private static final VarHandle HANDLE;

    static {
        Class<?> channel = null;
        Class<?> unsafe = null;
        VarHandle local = null;
        VarHandle epollHandle = null;
        VarHandle handle = null;
        try {
            channel = Class.forName("io.netty.channel.epoll.AbstractEpollChannel");
            unsafe = Class.forName("io.netty.channel.epoll.AbstractEpollChannel$AbstractEpollUnsafe");
            Class<?> abstractUnsafe = Class.forName("io.netty.channel.AbstractChannel$AbstractUnsafe");
            local = MethodHandles.privateLookupIn(channel, MethodHandles.lookup())
                    .findVarHandle(channel, "local", SocketAddress.class);
            epollHandle = MethodHandles.privateLookupIn(unsafe, MethodHandles.lookup()).findVarHandle(unsafe,
                    "allocHandle", Class.forName("io.netty.channel.epoll.EpollRecvByteAllocatorHandle"));
            handle = MethodHandles.privateLookupIn(abstractUnsafe, MethodHandles.lookup()).findVarHandle(
                    abstractUnsafe, "recvHandle", Class.forName("io.netty.channel.RecvByteBufAllocator$Handle"));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.debug("idle connections keep Netty's per-channel local address and receive handles: {}", e.toString());
            channel = null;
        }
        CHANNEL = channel;
        UNSAFE = unsafe;
        LOCAL = local;
        EPOLL_HANDLE = epollHandle;
        HANDLE = handle;
    }

    private EpollChannelTrim() {
    }

    /** Whether this Netty's epoll channel has the fields this class trims. */
    static boolean available() {
        return CHANNEL != null;
    }

    /** On the connection's event loop, at accept, before anything has asked for its local address. */
    static void shareLocalAddress(Channel ch) {
        if (CHANNEL == null || !CHANNEL.isInstance(ch)) {
            return;
        }
        SocketAddress own = (SocketAddress) LOCAL.getVolatile(ch);
        if (own == null) {
            return;
        }
        SocketAddress shared = SHARED.get(own);
        if (shared == null) {
            if (SHARED.size() >= MAX_SHARED) {
                return;
            }
            shared = SHARED.computeIfAbsent(own, a -> a);
        }
        if (shared != own) {
            LOCAL.setVolatile(ch, shared);
        }
    }

    /**
     * On the connection's event loop, outside its read loop (which holds the handle while it runs): the connection
     * is quiet, its next read sizes its buffer afresh.
     */
    static void dropReadHandles(Channel ch) {
        Channel.Unsafe unsafe = ch.unsafe();
        if (CHANNEL == null || !UNSAFE.isInstance(unsafe)) {
            return;
        }
        EPOLL_HANDLE.set(unsafe, null);
        HANDLE.set(unsafe, null);
    }
}
