package dev.gatehouse.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * One request stream of an h2 connection as its exchange's client: the response's {@code HttpObject}s go out as
 * HEADERS (END_STREAM when the answer is empty), DATA through the connection's encoder and its remote flow
 * controller, and trailers as HEADERS with END_STREAM (gRPC); pausing reads holds back the stream's flow-control
 * window (DATA still read is handed on, the window it used is given back with
 * {@link io.netty.handler.codec.http2.Http2LocalFlowController#consumeBytes} when reads resume); closing resets the
 * stream with CANCEL, as a child channel's close did. It also keeps the request body's deadlines (idle, total,
 * minimum rate), with a timer only while a body is in flight.
 */
final class Http2ClientStream implements ExchangeClient, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Http2ClientStream.class);

    private final Http2ClientStreams streams;
    private final Http2Stream stream;
    private HttpProxyHandler proxy;
    boolean inReadBatch;
    private boolean paused;
    private boolean closed;
    private boolean endReceived;
    private boolean endSent;
    /** inside one of our own writes or resets: a close they cause reaches the exchange after it returns */
    private int ownCalls;
    /** request bytes handed on while reads were paused: their window opens when reads resume */
    private int unconsumed;
    /** the request body's deadlines, only when the port sets any and a body is announced */
    private RequestBodyPace pace;
    private ScheduledFuture<?> timer;

    Http2ClientStream(Http2ClientStreams streams, Http2Stream stream) {
        this.streams = streams;
        this.stream = stream;
    }

    // ---------------------------------------------------------------- the request, from the frontend

    void start(HttpProxyHandler proxy, HttpRequest request, boolean endStream) {
        this.proxy = proxy;
        endReceived = endStream;
        if (!endStream) {
            bodyStarted();
        }
        proxy.readHttp2Head(request, endStream);
    }

    int onData(ByteBuf data, int padding, boolean endStream) {
        if (endSent && paused) {
            setAutoRead(true); // answered: the rest of the body is read and dropped, so the client may finish it
        }
        int bytes = data.readableBytes();
        RequestBodyPace p = pace;
        if (p != null && p.inBody()) {
            p.bytesRead(bytes);
            p.readAt(System.nanoTime());
        }
        if (endStream) {
            endReceived = true;
            bodyEnded();
        }
        proxy.read(endStream ? new DefaultLastHttpContent(data.retain()) : new DefaultHttpContent(data.retain()));
        if (paused && !closed) {
            unconsumed += bytes;
            return padding;
        }
        return bytes + padding;
    }

    void onTrailers(Http2Headers headers, boolean endStream) throws Http2Exception {
        if (!endStream) {
            throw Http2Exception.streamError(stream.id(), Http2Error.PROTOCOL_ERROR,
                    "HEADERS after the request head without END_STREAM");
        }
        endReceived = true;
        bodyEnded();
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        HttpConversionUtil.addHttp2ToHttpHeaders(stream.id(), headers, last.trailingHeaders(), HttpVersion.HTTP_1_1,
                true, true);
        proxy.read(last);
    }

    void readComplete() {
        if (!closed) {
            proxy.readComplete();
        }
    }

    void writabilityChanged(boolean writable) {
        if (!closed) {
            proxy.clientWritabilityChanged(writable);
        }
    }

    /**
     * The stream closed. After both ends ended normally the exchange is over (or ends by itself as its last write
     * returns): nothing to tell it. A reset (the client's, a stream error, or ours) ends it; when the close comes
     * from inside one of our own writes or resets, only after that call returned, as a child channel's close did.
     */
    void closed() {
        closed = true;
        bodyEnded();
        if (proxy == null || endSent && endReceived && !stream.isResetSent()) {
            return;
        }
        if (ownCalls > 0) {
            streams.ctx.executor().execute(proxy::clientClosed);
        } else {
            proxy.clientClosed();
        }
    }

    // ---------------------------------------------------------------- the response, from the exchange

    @Override
    public void write(Object msg) {
        send(msg, streams.quietVoid);
    }

    @Override
    public void writeAndFlush(Object msg) {
        send(msg, streams.quietVoid);
        flush();
    }

    @Override
    public void writeFlushAndClose(Object msg) {
        ChannelFuture written = send(msg, streams.ctx.newPromise());
        flush();
        written.addListener(f -> close());
    }

    /** Writes one response object as h2 frames; returns the future of its last frame. */
    private ChannelFuture send(Object msg, ChannelPromise promise) {
        if (closed) {
            ReferenceCountUtil.release(msg);
            return promise.setSuccess();
        }
        ownCalls++;
        try {
            return encode(msg, promise);
        } finally {
            ownCalls--;
        }
    }

    private ChannelFuture encode(Object msg, ChannelPromise promise) {
        ChannelHandlerContext ctx = streams.ctx;
        Http2ConnectionEncoder encoder = streams.handler().encoder();
        ChannelPromise quiet = streams.quietVoid;
        int id = stream.id();
        try {
            if (msg instanceof HttpResponse response) {
                Http2Headers headers = HttpConversionUtil.toHttp2Headers(response, true);
                if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL && response.status().code() != 101) {
                    ReferenceCountUtil.release(msg); // 100 Continue: a HEADERS that does not end the stream
                    return encoder.writeHeaders(ctx, id, headers, 0, false, promise);
                }
                if (!(msg instanceof FullHttpResponse full)) {
                    return encoder.writeHeaders(ctx, id, headers, 0, false, promise);
                }
                if (!full.content().isReadable() && full.trailingHeaders().isEmpty()) {
                    full.release();
                    endSent = true;
                    return encoder.writeHeaders(ctx, id, headers, 0, true, promise);
                }
                encoder.writeHeaders(ctx, id, headers, 0, false, quiet);
            }
            if (msg instanceof LastHttpContent last) {
                HttpHeaders trailers = last.trailingHeaders();
                endSent = true;
                if (trailers.isEmpty()) {
                    return encoder.writeData(ctx, id, last.content(), 0, true, promise);
                }
                if (last.content().isReadable()) {
                    encoder.writeData(ctx, id, last.content(), 0, false, quiet);
                } else {
                    last.release();
                }
                return encoder.writeHeaders(ctx, id, HttpConversionUtil.toHttp2Headers(trailers, true), 0, true,
                        promise);
            }
            if (msg instanceof HttpContent c) {
                return encoder.writeData(ctx, id, c.content(), 0, false, promise);
            }
            if (!(msg instanceof HttpResponse)) {
                ReferenceCountUtil.release(msg);
            }
            return promise.setSuccess();
        } catch (RuntimeException e) {
            // a response header h2 cannot carry (our own or a filter's): this stream ends, not the connection
            LOG.debug("cannot write the response of stream {} as h2, resetting it", id, e);
            ReferenceCountUtil.release(msg);
            close();
            return promise.setFailure(e);
        }
    }

    @Override
    public void flush() {
        ownCalls++;
        try {
            streams.flush();
        } finally {
            ownCalls--;
        }
    }

    @Override
    public boolean isWritable() {
        return !closed && streams.connection().remote().flowController().isWritable(stream);
    }

    @Override
    public void close() {
        bodyEnded();
        if (stream.state() != Http2Stream.State.CLOSED) {
            ownCalls++;
            try {
                streams.reset(stream);
            } finally {
                ownCalls--;
            }
        }
    }

    @Override
    public boolean isAutoRead() {
        return !paused;
    }

    @Override
    public void setAutoRead(boolean read) {
        paused = !read;
        if (read && unconsumed > 0) {
            int n = unconsumed;
            unconsumed = 0;
            if (!closed) {
                try {
                    if (streams.connection().local().flowController().consumeBytes(stream, n)) {
                        streams.flush(); // the WINDOW_UPDATE leaves now, whatever event resumed the stream
                    }
                } catch (Http2Exception e) {
                    streams.handler().onError(streams.ctx, true, e);
                }
            }
        }
    }

    @Override
    public EventLoop eventLoop() {
        return streams.ctx.channel().eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
        return streams.ctx.alloc();
    }

    @Override
    public Channel connection() {
        return streams.ctx.channel();
    }

    // ---------------------------------------------------------------- the body deadlines

    private void bodyStarted() {
        RequestBodyPace p = streams.newBodyPace();
        if (p == null) {
            return;
        }
        pace = p;
        long now = System.nanoTime();
        p.start(now);
        schedule(p, now);
    }

    private void bodyEnded() {
        if (pace != null) {
            pace.end();
        }
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void run() {
        timer = null;
        RequestBodyPace p = pace;
        if (p == null || !p.inBody() || closed) {
            return;
        }
        long now = System.nanoTime();
        if (p.passed(now, !paused)) {
            LOG.debug("request body of stream {} too slow, resetting it", stream.id());
            close();
            return;
        }
        schedule(p, now);
    }

    private void schedule(RequestBodyPace p, long now) {
        long next = p.nanosToNextCheck(now);
        timer = streams.ctx.executor().schedule(this, Math.max(next, 1_000_000L), TimeUnit.NANOSECONDS);
    }
}
