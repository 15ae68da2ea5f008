package dev.gatehouse.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.HttpConversionUtil;

import java.time.Duration;
import java.util.ArrayList;

/**
 * The requests of one h2 connection: its frontend ({@code Http2Frontend}, an {@link Http2ConnectionHandler}) hands
 * each stream's HEADERS, DATA and close here, and each stream becomes one {@link Http2ClientStream} kept in the
 * {@link Http2Stream} by a property key, with its exchange, without a child channel or a conversion codec. Confined
 * to the connection's event loop.
 */
public final class Http2ClientStreams {
    private final ProxyContext context;
    private final int maxHeaderFields;
    private final long backendTimeoutNanos;
    private final Duration bodyIdle;
    private final Duration bodyTotal;
    private final long minBodyBytesPerSecond;
    private final boolean bodyPaced;
    private final Http2ConnectionHandler handler;
    private final Http2Connection connection;
    private final Http2Connection.PropertyKey key;
    /** the streams that read something in this read batch: their exchanges flush upstream at its end */
    private final ArrayList<Http2ClientStream> readInBatch = new ArrayList<>(4);
    ChannelHandlerContext ctx;
    /** a void promise whose failure fires nothing: a write to a stream the client just reset fails quietly */
    ChannelPromise quietVoid;

    public Http2ClientStreams(ProxyContext context, Http2ConnectionHandler handler, int maxHeaderFields,
                              Duration backendTimeout, Duration bodyIdle, Duration bodyTotal,
                              long minBodyBytesPerSecond) {
        this.context = context;
        this.handler = handler;
        this.connection = handler.connection();
        this.key = connection.newKey();
        this.maxHeaderFields = maxHeaderFields;
        this.backendTimeoutNanos = HttpProxyHandler.backendTimeoutNanos(backendTimeout);
        this.bodyIdle = bodyIdle;
        this.bodyTotal = bodyTotal;
        this.minBodyBytesPerSecond = minBodyBytesPerSecond;
        this.bodyPaced = new RequestBodyPace(bodyIdle, bodyTotal, minBodyBytesPerSecond).enforced();
    }

    /** A request body's deadlines, or null when this port sets none. */
    RequestBodyPace newBodyPace() {
        return bodyPaced ? new RequestBodyPace(bodyIdle, bodyTotal, minBodyBytesPerSecond) : null;
    }

    /** The frontend was added to its connection's pipeline. */
    public void attach(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        Channel ch = ctx.channel();
        this.quietVoid = new VoidChannelPromise(ch, false);
    }

    Http2ConnectionHandler handler() {
        return handler;
    }

    Http2Connection connection() {
        return connection;
    }

    /** A HEADERS frame: a stream's request head (converted once into the exchange's request), or its trailers. */
    public void onHeaders(int streamId, Http2Headers headers, boolean endStream) throws Http2Exception {
        Http2Stream stream = connection.stream(streamId);
        if (stream == null) {
            return;
        }
        Http2ClientStream s = stream.getProperty(key);
        if (s != null) {
            s.onTrailers(headers, endStream);
            readIn(s);
            return;
        }
        HttpRequest request = HttpConversionUtil.toHttpRequest(streamId, headers, true);
        if (!endStream && !HttpUtil.isContentLengthSet(request)) {
            // as Netty's Http2StreamFrameToHttpObjectCodec: a body of unknown length goes upstream chunked
            request.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        s = new Http2ClientStream(this, stream);
        stream.setProperty(key, s);
        s.start(HttpProxyHandler.forHttp2Stream(context, s, maxHeaderFields, backendTimeoutNanos), request,
                endStream);
        readIn(s);
    }

    /** A DATA frame; returns the bytes processed now (all of them unless the stream's reads are paused). */
    public int onData(int streamId, ByteBuf data, int padding, boolean endStream) {
        Http2Stream stream = connection.stream(streamId);
        Http2ClientStream s = stream == null ? null : stream.getProperty(key);
        if (s == null) {
            return data.readableBytes() + padding;
        }
        readIn(s);
        return s.onData(data, padding, endStream);
    }

    private void readIn(Http2ClientStream s) {
        if (!s.inReadBatch) {
            s.inReadBatch = true;
            readInBatch.add(s);
        }
    }

    /** The connection's read batch ended: each stream that read flushes what its exchange wrote upstream. */
    public void readComplete() {
        ArrayList<Http2ClientStream> read = readInBatch;
        int n = read.size();
        if (n == 0) {
            return;
        }
        for (int i = 0; i < n; i++) {
            Http2ClientStream s = read.get(i);
            s.inReadBatch = false;
            s.readComplete();
        }
        read.clear();
    }

    /** The remote flow controller says the stream's window opened or filled up. */
    public void writabilityChanged(Http2Stream stream) {
        Http2ClientStream s = stream.getProperty(key);
        if (s != null) {
            s.writabilityChanged(connection.remote().flowController().isWritable(stream));
        }
    }

    /** The stream closed (both ends, or a reset either way): its exchange lets go. */
    public void streamClosed(Http2Stream stream) {
        Http2ClientStream s = stream.removeProperty(key);
        if (s != null) {
            s.closed();
        }
    }

    void flush() {
        handler.flush(ctx);
    }

    void reset(Http2Stream stream) {
        handler.resetStream(ctx, stream.id(), Http2Error.CANCEL.code(), quietVoid);
        handler.flush(ctx);
    }
}
