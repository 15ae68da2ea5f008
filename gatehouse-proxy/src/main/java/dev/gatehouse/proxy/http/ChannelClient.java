package dev.gatehouse.proxy.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;

/** An exchange's client that is a channel: an HTTP/1.1 connection. One per {@link HttpProxyHandler} in a pipeline. */
final class ChannelClient implements ExchangeClient {
    private final Channel channel;

    ChannelClient(Channel channel) {
        this.channel = channel;
    }

    @Override
    public void write(Object msg) {
        channel.write(msg, channel.voidPromise());
    }

    @Override
    public void writeAndFlush(Object msg) {
        channel.writeAndFlush(msg, channel.voidPromise());
    }

    @Override
    public void writeFlushAndClose(Object msg) {
        channel.writeAndFlush(msg).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public boolean isAutoRead() {
        return channel.config().isAutoRead();
    }

    @Override
    public void setAutoRead(boolean read) {
        channel.config().setAutoRead(read);
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public Channel connection() {
        return channel;
    }
}
