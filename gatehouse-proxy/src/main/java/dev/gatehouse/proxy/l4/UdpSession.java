package dev.gatehouse.proxy.l4;

import dev.gatehouse.proxy.observe.L4Log;
import dev.gatehouse.routing.balance.Cluster;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One UDP client (address and port) relayed to one backend endpoint through a socket of its own, connected to
 * the endpoint, so the endpoint's replies are told apart by socket, not by a lookup. Confined to the port's event
 * loop. Datagrams that arrive while the socket opens wait in a short queue; past it, or while a socket's buffer is
 * full, they are dropped (and counted): UDP promises no delivery, and queueing would only add delay. The idle
 * timer is one scheduled task re-armed lazily: a datagram only stamps the time.
 */
final class UdpSession {
    /** Datagrams held while the backend socket opens (one event loop turn, normally). */
    static final int BACKLOG = 32;

    private final DatagramRelay relay;
    private final Channel listener;
    private final InetSocketAddress client;
    private final Cluster cluster;
    private final InetSocketAddress endpoint;
    private final L4Log log;
    private final ArrayDeque<ByteBuf> backlog = new ArrayDeque<>(4);
    private Channel upstream;
    private boolean connected;
    private boolean closed;
    private long lastActive;
    private ScheduledFuture<?> idleCheck;

    UdpSession(DatagramRelay relay, Channel listener, InetSocketAddress client, Cluster cluster,
               InetSocketAddress endpoint, L4Log log) {
        this.relay = relay;
        this.listener = listener;
        this.client = client;
        this.cluster = cluster;
        this.endpoint = endpoint;
        this.log = log;
        this.lastActive = log.startNanos();
    }

    InetSocketAddress client() {
        return client;
    }

    /** Opens the backend socket on the listener's loop; connecting a datagram socket sends nothing, never blocks. */
    void start(Class<? extends Channel> channelClass) {
        ChannelFuture f = new Bootstrap()
                .group(listener.eventLoop())
                .channel(channelClass)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(UdpSettings.MAX_DATAGRAM))
                .handler(new FromBackend())
                .connect(endpoint);
        upstream = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                cluster.reportFailure(endpoint, "UDP socket to the endpoint failed: " + done.cause().getMessage());
                close(L4Log.CloseReason.BACKEND_UNREACHABLE);
                return;
            }
            connected = true;
            if (closed) {
                upstream.close();
                return;
            }
            for (ByteBuf b = backlog.poll(); b != null; b = backlog.poll()) {
                send(b);
            }
        });
        armIdleCheck(relay.settings().sessionIdleTimeout().toNanos());
    }

    /** A datagram from the client; ownership passes here. */
    void fromClient(ByteBuf content) {
        if (closed) {
            content.release();
            return;
        }
        lastActive = System.nanoTime();
        log.addIn(content.readableBytes());
        if (connected) {
            send(content);
        } else if (backlog.size() < BACKLOG) {
            backlog.add(content);
        } else {
            content.release();
            relay.observer().udpDatagramDropped(relay.port(), "backlog");
        }
    }

    private void send(ByteBuf content) {
        if (upstream.isWritable()) {
            upstream.writeAndFlush(content, upstream.voidPromise());
        } else {
            content.release();
            relay.observer().udpDatagramDropped(relay.port(), "unwritable");
        }
    }

    private void armIdleCheck(long delayNanos) {
        idleCheck = listener.eventLoop().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void checkIdle() {
        long timeout = relay.settings().sessionIdleTimeout().toNanos();
        long idle = System.nanoTime() - lastActive;
        if (idle >= timeout) {
            close(L4Log.CloseReason.IDLE_TIMEOUT);
        } else if (!closed) {
            armIdleCheck(timeout - idle);
        }
    }

    void close(L4Log.CloseReason reason) {
        if (closed) {
            return;
        }
        closed = true;
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        for (ByteBuf b = backlog.poll(); b != null; b = backlog.poll()) {
            b.release();
        }
        if (upstream != null) {
            upstream.close();
        }
        relay.ended(this);
        if (log.end(reason, System.nanoTime())) {
            relay.observer().l4Closed(log);
        }
    }

    /** The backend socket's handler: replies go back to the client from the port's own socket. */
    private final class FromBackend extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf content = msg instanceof DatagramPacket p ? p.content() : msg instanceof ByteBuf b ? b : null;
            if (content == null || closed) {
                ReferenceCountUtil.release(msg);
                return;
            }
            lastActive = System.nanoTime();
            log.addOut(content.readableBytes());
            if (listener.isWritable()) {
                listener.writeAndFlush(new DatagramPacket(content, client), listener.voidPromise());
            } else {
                content.release();
                relay.observer().udpDatagramDropped(relay.port(), "unwritable");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof PortUnreachableException) {
                // ICMP port unreachable: nothing listens there; a later datagram opens a new session
                cluster.reportFailure(endpoint, "UDP port unreachable");
                close(L4Log.CloseReason.BACKEND_UNREACHABLE);
            } else {
                close(L4Log.CloseReason.ERROR);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            close(L4Log.CloseReason.ERROR);
            ctx.fireChannelInactive();
        }
    }
}
