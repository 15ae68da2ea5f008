package dev.gatehouse.edge.relay;

import dev.gatehouse.edge.EdgeOptions;
import dev.gatehouse.edge.pool.NodePool;
import dev.gatehouse.edge.pool.NodeState;
import dev.gatehouse.proxy.l4.ByteSplice;
import dev.gatehouse.proxy.timer.Deadlines;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Connects an accepted client to a node, on the client's own event loop. The client is read meanwhile and its bytes
 * held (up to the high watermark, then it stops reading), so that the PROXY header and a request already there
 * leave in one write: one send and one wake-up of the node instead of two (bytes a gate let through are held too). A connect that fails is counted against the node and
 * retried at once on a node not yet tried, so a client only sees a failure when every node refused it. Connected:
 * the PROXY header, the held bytes, then a {@link ByteSplice} each way (back-pressure, half-close, idle timeout).
 * <p>
 * The client's splice is not a handler of its own: this one stays in the client's pipeline and hands every event
 * to it once the node is connected. Removing this handler and adding the splice took two pipeline changes per
 * connection (a context allocated, the pipeline's lock taken twice, the handler's sharability looked up in a
 * thread-local map, the pipeline walked for the name); the splice's methods only use the context they are given.
 */
public final class NodeRelay extends ChannelInboundHandlerAdapter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRelay.class);
    /** Both directions buffer at most ~64 KiB before the other side stops reading. */
    public static final WriteBufferWaterMark WATERMARKS = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final RelaySettings settings;
    private final int listenPort;
    private final boolean waitForBytes;
    private final ArrayDeque<Object> pending = new ArrayDeque<>(2);
    private int pendingBytes;
    private final List<NodeState> tried = new ArrayList<>(2);
    private NodePool.Snapshot snapshot;
    private Channel attempt;
    /** the connect under way, failed by {@link #run()} when its timer is due */
    private ChannelPromise connecting;
    private InetSocketAddress connectingTo;
    private Deadlines.Timer connectTimer;
    private boolean started;
    /** the client half-closed before a node was connected: the splice is told once it is in place */
    private boolean inputShutdown;
    /** the client's half of the relay once the node is connected: every event goes to it from then on */
    private ByteSplice splice;

    /**
     * @param waitForBytes connect when the first bytes arrive (a gate in front let them through) rather than as soon
     *                     as the client is accepted
     */
    public NodeRelay(RelaySettings settings, int listenPort, boolean waitForBytes) {
        this.settings = settings;
        this.listenPort = listenPort;
        this.waitForBytes = waitForBytes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (!waitForBytes && ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!waitForBytes) {
            start(ctx);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (splice != null) {
            splice.channelRead(ctx, msg);
            return;
        }
        pending.add(msg);
        if (msg instanceof ByteBuf b && (pendingBytes += b.readableBytes()) >= WATERMARKS.high()) {
            ctx.channel().config().setAutoRead(false); // the splice turns reading on again
        }
        if (!started) {
            start(ctx);
        }
    }

    private void start(ChannelHandlerContext ctx) {
        if (started) {
            return;
        }
        started = true;
        snapshot = settings.pool().snapshot();
        connect(ctx);
    }

    private void connect(ChannelHandlerContext ctx) {
        Channel client = ctx.channel();
        Integer nodePort = snapshot.nodePorts().get(listenPort);
        NodeState node = nodePort == null ? null : settings.pool().pick(snapshot.nodes(), tried);
        if (node == null) {
            settings.refused().increment();
            if (nodePort == null) {
                LOG.warn("{}: port {} has no node port; closing", client.remoteAddress(), listenPort);
            } else {
                // counted, and /ready says so: a line per refused client would flood the log while the nodes are down
                LOG.debug("{}: no node took port {} ({}); closing", client.remoteAddress(), listenPort,
                        tried.isEmpty() ? "no nodes" : "every node failed");
            }
            client.close();
            return;
        }
        tried.add(node);
        InetSocketAddress address = new InetSocketAddress(node.resolved(), nodePort);
        ChannelFuture f = settings.connect(client.eventLoop(), address);
        attempt = f.channel();
        if (!f.isDone() && f instanceof ChannelPromise promise) {
            if (connectTimer == null) {
                connectTimer = settings.connectTimeouts().timer(client.eventLoop(), this);
            }
            connecting = promise;
            connectingTo = address;
            connectTimer.arm();
        }
        f.addListener(x -> {
            if (connecting == f) {
                connecting = null;
                connectTimer.disarm();
            }
            if (!f.isSuccess()) {
                if (!client.isActive()) {
                    return; // the client left and its attempt was closed: no verdict on the node
                }
                String reason = f.cause() == null ? "cancelled" : String.valueOf(f.cause().getMessage());
                node.connectFailed(reason);
                node.retried();
                LOG.debug("{}: connect to {} failed ({}); trying another node", client.remoteAddress(),
                        node.node().name(), reason);
                connect(ctx);
                return;
            }
            node.connected();
            relay(ctx, node, f.channel());
        });
    }

    /** The connect under way took the whole connect timeout: it fails as Netty's own timeout fails it. */
    @Override
    public void run() {
        ChannelPromise promise = connecting;
        if (promise != null && promise.tryFailure(new ConnectTimeoutException("connection timed out after "
                + settings.connectTimeouts().lengthMillis() + " ms: " + connectingTo))) {
            promise.channel().close();
        }
    }

    private void relay(ChannelHandlerContext ctx, NodeState node, Channel nodeChannel) {
        Channel client = ctx.channel();
        if (!client.isActive()) {
            nodeChannel.close();
            return;
        }
        // a header with nothing of the client's to go with it yet waits for the client's first bytes (NodeBytes)
        boolean holdHeader = false;
        if (settings.proxyProtocol() != EdgeOptions.ProxyProtocol.OFF) {
            nodeChannel.write(ProxyHeader.of(settings.proxyProtocol(), (InetSocketAddress) client.remoteAddress(),
                    (InetSocketAddress) client.localAddress(), nodeChannel.alloc()), nodeChannel.voidPromise());
            holdHeader = pending.isEmpty() && !inputShutdown;
        }
        // and the idle timeout
        nodeChannel.pipeline().addLast("bytes", new NodeBytes(node, settings.idleTimeouts(),
                holdHeader ? settings.headerHolds() : null));
        node.opened();
        for (Object msg = pending.poll(); msg != null; msg = pending.poll()) {
            nodeChannel.write(msg, nodeChannel.voidPromise());
        }
        if (!holdHeader) {
            nodeChannel.flush();
        }
        attempt = null;
        splice = ByteSplice.to(nodeChannel);
        nodeChannel.pipeline().addLast("splice", ByteSplice.to(client));
        nodeChannel.config().setAutoRead(client.isWritable());
        if (!inputShutdown) {
            client.config().setAutoRead(nodeChannel.isWritable());
        } else if (nodeChannel instanceof DuplexChannel duplex) {
            // the client's FIN came before the node was connected: pass it on after its bytes. (Reading a channel
            // whose input is shut fails in Netty's epoll: the fd has left the epoll set.)
            ByteSplice.shutdownOutputAfterWrites(duplex, () -> { });
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (splice != null) {
            splice.channelReadComplete(ctx);
        } else {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (splice != null) {
            splice.channelWritabilityChanged(ctx);
        } else {
            ctx.fireChannelWritabilityChanged();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (splice != null) {
            splice.userEventTriggered(ctx, evt);
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent) {
            // a client that sends its request and half-closes at once (even before the edge reads) still gets its
            // answer: the FIN is relayed once the node is connected
            inputShutdown = true;
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (splice != null) {
            splice.channelInactive(ctx);
            return;
        }
        if (attempt != null) {
            // the client left while a connect was under way
            attempt.close();
        }
        if (connectTimer != null) {
            connectTimer.disarm();
        }
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    private void release() {
        for (Object msg = pending.poll(); msg != null; msg = pending.poll()) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (splice != null) {
            splice.exceptionCaught(ctx, cause);
            return;
        }
        LOG.debug("{}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
