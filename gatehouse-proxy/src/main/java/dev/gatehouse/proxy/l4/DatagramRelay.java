package dev.gatehouse.proxy.l4;

import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.L4Log;
import dev.gatehouse.routing.route.L4PortRouter;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.runtime.SnapshotHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * The handler of a UDP port's socket. Each client address and port gets a {@link UdpSession}: one backend
 * endpoint, picked when its first datagram arrives, and one connected socket to it on this port's event loop,
 * so every datagram of a session, both ways, is handled on one thread without locks. Sessions are held in a plain
 * map (this loop only) up to {@link UdpSettings#maxSessionsPerPort()}; past that a new client's datagrams are
 * dropped and counted. A session ends after {@link UdpSettings#sessionIdleTimeout()} without a datagram.
 * A reload changes where new sessions go; open sessions keep their backend, as TCP connections do.
 */
public final class DatagramRelay extends ChannelInboundHandlerAdapter {
    private final int port;
    private final SnapshotHolder snapshots;
    private final UdpSettings settings;
    private final Class<? extends Channel> datagramChannelClass;
    private final ExchangeObserver observer;
    private final Map<InetSocketAddress, UdpSession> sessions = new HashMap<>();

    /**
     * @param port the UDP port this socket serves (its router is read from the current snapshot per new session)
     * @param datagramChannelClass the transport's datagram channel class, for the sessions' backend sockets
     */
    public DatagramRelay(int port, SnapshotHolder snapshots, UdpSettings settings,
                         Class<? extends Channel> datagramChannelClass, ExchangeObserver observer) {
        this.port = port;
        this.snapshots = snapshots;
        this.settings = settings;
        this.datagramChannelClass = datagramChannelClass;
        this.observer = observer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        InetSocketAddress client = packet.sender();
        UdpSession session = sessions.get(client);
        if (session == null) {
            session = open(ctx.channel(), client);
            if (session == null) {
                packet.release();
                return;
            }
        }
        session.fromClient(packet.content());
    }

    /** @return the new session, or {@code null} when the datagram is dropped (counted) */
    private UdpSession open(Channel listener, InetSocketAddress client) {
        if (sessions.size() >= settings.maxSessionsPerPort()) {
            observer.udpDatagramDropped(port, "session_limit");
            return null;
        }
        RuntimeSnapshot snapshot = snapshots.current();
        L4PortRouter router = snapshot == null ? null : snapshot.l4Router(port);
        L4PortRouter.L4Backend backend = router == null ? null : router.pick(null);
        InetSocketAddress endpoint = backend == null || backend.cluster() == null ? null : backend.cluster().pick();
        if (endpoint == null) {
            observer.udpDatagramDropped(port, "no_route");
            return null;
        }
        L4Log log = new L4Log(port, "udp", client, System.nanoTime(), System.currentTimeMillis());
        log.routed(backend.route(), backend.cluster().name());
        log.endpoint(endpoint);
        UdpSession session = new UdpSession(this, listener, client, backend.cluster(), endpoint, log);
        sessions.put(client, session);
        observer.l4Opened(log);
        session.start(datagramChannelClass);
        return session;
    }

    UdpSettings settings() {
        return settings;
    }

    ExchangeObserver observer() {
        return observer;
    }

    int port() {
        return port;
    }

    /** Called by a session once it ended; on this loop. */
    void ended(UdpSession session) {
        sessions.remove(session.client(), session);
    }

    /** The port closed (removed by a reload, or the gateway stops): every session ends with it. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (UdpSession s : new ArrayList<>(sessions.values())) {
            s.close(L4Log.CloseReason.LISTENER_CLOSED);
        }
        ctx.fireChannelInactive();
    }

    /** A failed read on the port's socket (an ICMP error for a reply we sent) ends nothing: UDP is lossy. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    }
}
