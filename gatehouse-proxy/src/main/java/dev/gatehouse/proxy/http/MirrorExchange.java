package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.upstream.UpstreamHandler;
import dev.gatehouse.proxy.upstream.UpstreamListener;
import dev.gatehouse.proxy.upstream.UpstreamPool;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * A fire-and-forget copy of a request (RequestMirror). It gets its own copy of the head and a retained
 * duplicate of every body chunk; its response is read and dropped. It never slows the real request: if
 * its connection is not writable, or too much is queued while it connects, the copy is abandoned.
 */
final class MirrorExchange implements UpstreamListener {
    private static final int MAX_QUEUED_BYTES = 256 * 1024;

    private final UpstreamPool pool;
    private final InetSocketAddress endpoint;
    private final HttpRequest head;
    private final long timeoutNanos;
    private UpstreamHandler upstream;
    private ArrayDeque<HttpContent> queued;
    private int queuedBytes;
    private boolean requestSent;
    private boolean dropped;
    private boolean flushPending;
    private boolean reusable;
    private long deadlineNanos;

    MirrorExchange(UpstreamPool pool, InetSocketAddress endpoint, HttpRequest head, long timeoutNanos) {
        this.pool = pool;
        this.endpoint = endpoint;
        this.head = head;
        this.timeoutNanos = timeoutNanos;
    }

    void start() {
        UpstreamHandler idle = pool.pollIdle(endpoint);
        if (idle != null) {
            bind(idle);
            return;
        }
        ChannelFuture f = pool.connect(endpoint);
        if (f.isDone()) {
            onConnect(f);
        } else {
            f.addListener(future -> onConnect((ChannelFuture) future));
        }
    }

    /** Takes ownership of {@code copy} (a retained duplicate of a chunk of the real request). */
    void offer(HttpContent copy) {
        if (dropped) {
            copy.release();
            return;
        }
        if (upstream == null) {
            if (queued == null) {
                queued = new ArrayDeque<>();
            }
            queued.add(copy);
            queuedBytes += copy.content().readableBytes();
            if (queuedBytes > MAX_QUEUED_BYTES) {
                drop();
            }
            return;
        }
        Channel ch = upstream.channel();
        if (!ch.isWritable()) {
            // a mirror must never push back on the client: abandon it instead
            copy.release();
            drop();
            return;
        }
        write(copy);
        if (requestSent) {
            // the real exchange may finish before its next flush point: complete the copy now
            flush();
        }
    }

    void flush() {
        if (flushPending && upstream != null) {
            flushPending = false;
            upstream.channel().flush();
        }
    }

    /** The real request was aborted: an incomplete copy must not stay open. */
    void abortIfIncomplete() {
        if (!requestSent) {
            drop();
        }
    }

    private void onConnect(ChannelFuture f) {
        if (!f.isSuccess()) {
            drop();
            return;
        }
        if (dropped) {
            f.channel().close();
            return;
        }
        bind(f.channel().pipeline().get(UpstreamHandler.class));
    }

    private void bind(UpstreamHandler h) {
        upstream = h;
        deadlineNanos = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        h.bind(this);
        Channel ch = h.channel();
        ch.write(head, ch.voidPromise());
        if (queued != null) {
            HttpContent c;
            while ((c = queued.poll()) != null) {
                write(c);
            }
            queuedBytes = 0;
        }
        flushPending = false;
        ch.flush();
    }

    private void write(HttpContent c) {
        if (c instanceof LastHttpContent) {
            requestSent = true;
        }
        upstream.channel().write(c, upstream.channel().voidPromise());
        flushPending = true;
    }

    private void drop() {
        if (dropped) {
            return;
        }
        dropped = true;
        if (queued != null) {
            HttpContent c;
            while ((c = queued.poll()) != null) {
                c.release();
            }
        }
        UpstreamHandler h = upstream;
        upstream = null;
        if (h != null) {
            h.unbind();
            h.channel().close();
        }
    }

    @Override
    public void onUpstreamRead(Object msg) {
        try {
            if (msg instanceof HttpResponse response) {
                reusable = HttpUtil.isKeepAlive(response) && response.decoderResult().isSuccess();
            }
            if (msg instanceof LastHttpContent && upstream != null) {
                UpstreamHandler h = upstream;
                upstream = null;
                if (reusable && requestSent && !dropped) {
                    pool.release(h);
                } else {
                    h.unbind();
                    h.channel().close();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void onUpstreamReadComplete() {
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
    }

    @Override
    public void onUpstreamInactive(Throwable cause) {
        upstream = null;
        drop();
    }

    @Override
    public long deadlineNanos() {
        return deadlineNanos;
    }

    @Override
    public void onDeadline() {
        drop();
    }
}
