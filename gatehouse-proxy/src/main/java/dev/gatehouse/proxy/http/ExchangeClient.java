package dev.gatehouse.proxy.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

/**
 * Where an exchange's response goes and whose reads it pauses: an HTTP/1.1 connection ({@link ChannelClient}) or
 * one h2 stream of a connection. The exchange's parts ({@link ProxyExchange}, {@link ResponseRelay},
 * {@link UpstreamAttempt}, {@link LocalAnswers}) write {@code HttpObject}s to it and never see which it is.
 * Confined to the connection's event loop.
 */
interface ExchangeClient {
    /** Writes without flushing; a failure closes the client (void promise). */
    void write(Object msg);

    void writeAndFlush(Object msg);

    /** Writes, flushes, then closes the client (HTTP/1.1: the connection; h2: the stream) once it is written. */
    void writeFlushAndClose(Object msg);

    void flush();

    /** Whether the client takes more now (HTTP/1.1: the socket's buffer; h2: the stream's flow-control window). */
    boolean isWritable();

    /** Closes the client: the connection, or resets the stream. */
    void close();

    boolean isAutoRead();

    /** Pauses or resumes reading the request (the connection's socket, or the stream's flow-control window). */
    void setAutoRead(boolean read);

    EventLoop eventLoop();

    ByteBufAllocator alloc();

    /** The client's TCP connection: its addresses and attributes (TLS session, PROXY header, client-cert setting). */
    Channel connection();
}
