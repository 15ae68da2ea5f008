package dev.gatehouse.edge.relay;

import dev.gatehouse.edge.pool.NodeState;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Counts the bytes a node channel carries each way into the node's metrics, and the connection closed when the
 * channel is (a handler's event, not a listener added to each channel's close future).
 */
final class NodeBytes extends ChannelDuplexHandler {
    private final NodeState node;

    NodeBytes(NodeState node) {
        this.node = node;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            node.bytesFromNode(b.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        node.closed();
        ctx.fireChannelInactive();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) {
            node.bytesToNode(b.readableBytes());
        }
        ctx.write(msg, promise);
    }
}
