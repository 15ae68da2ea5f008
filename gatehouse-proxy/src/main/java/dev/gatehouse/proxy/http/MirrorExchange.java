package dev.gatehouse.proxy.http;

import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.MirrorResult;
import dev.gatehouse.routing.route.Route;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * A fire-and-forget copy of a request (RequestMirror). It gets its own copy of the head and a retained
 * duplicate of every body chunk; its response is read and dropped. It never slows the real request: if
 * its connection is not writable, or too much is queued while it connects, the copy is abandoned.
 * <p>
 * Its end is reported once to the observer ({@link ExchangeObserver#onMirrorComplete}): {@code sent} when the
 * mirror answered with a final status, {@code failed} on a connect error, a connection lost before the answer
 * or the timeout, {@code dropped} when the copy was abandoned on purpose (see above, or the real request was
 * aborted before the copy was complete).
 */
final class MirrorExchange implements UpstreamListener {
    private static final Logger LOG = LoggerFactory.getLogger(MirrorExchange.class);
    private static final int MAX_QUEUED_BYTES = 256 * 1024;

    private final UpstreamPool pool;
    private final InetSocketAddress endpoint;
    private final HttpRequest head;
    private final long timeoutNanos;
    /** null when nothing observes */
    private final ExchangeObserver observer;
    private final Route route;
    private final Cluster cluster;
    private boolean reported;
    private UpstreamHandler upstream;
    private ArrayDeque<HttpContent> queued;
    private int queuedBytes;
    private boolean requestSent;
    /** dropped, failed or answered: chunks offered from now on are released at once */
    private boolean over;
    private boolean flushPending;
    private boolean reusable;
    private long deadlineNanos;

    MirrorExchange(UpstreamPool pool, InetSocketAddress endpoint, HttpRequest head, long timeoutNanos,
                   ExchangeObserver observer, Route route, Cluster cluster) {
        this.pool = pool;
        this.endpoint = endpoint;
        this.head = head;
        this.timeoutNanos = timeoutNanos;
        this.observer = observer;
        this.route = route;
        this.cluster = cluster;
    }

    /** Reports how the copy ended, the first time only; nothing the observer does reaches the real request. */
    private void report(MirrorResult result) {
        if (reported) {
            return;
        }
        reported = true;
        report(observer, route, cluster, result);
    }

    static void report(ExchangeObserver observer, Route route, Cluster cluster, MirrorResult result) {
        if (observer == null) {
            return;
        }
        try {
            observer.onMirrorComplete(route, cluster, result);
        } catch (RuntimeException e) {
            LOG.warn("mirror observer failed", e);
        }
    }

    void start() {
        UpstreamHandler idle = pool.pollIdle(endpoint, cluster.tls());
        if (idle != null) {
            bind(idle);
            return;
        }
        ChannelFuture f = pool.connect(endpoint, cluster.tls());
        if (f.isDone()) {
            onConnect(f);
        } else {
            f.addListener(future -> onConnect((ChannelFuture) future));
        }
    }

    /** Takes ownership of {@code copy} (a retained duplicate of a chunk of the real request). */
    void offer(HttpContent copy) {
        if (over) {
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
                drop(MirrorResult.DROPPED);
            }
            return;
        }
        Channel ch = upstream.channel();
        if (!ch.isWritable()) {
            // a mirror must never push back on the client: abandon it instead
            copy.release();
            drop(MirrorResult.DROPPED);
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
            drop(MirrorResult.DROPPED);
        }
    }

    private void onConnect(ChannelFuture f) {
        if (!f.isSuccess()) {
            drop(MirrorResult.FAILED);
            return;
        }
        if (over) {
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

    private void drop(MirrorResult result) {
        report(result);
        if (over) {
            return;
        }
        over = true;
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
                if (!response.decoderResult().isSuccess()) {
                    report(MirrorResult.FAILED); // not an answer: the connection is closed at its end
                } else if (response.status().code() >= 200) {
                    report(MirrorResult.SENT);
                }
            }
            if (msg instanceof LastHttpContent && upstream != null) {
                if (reusable && requestSent && !over) {
                    UpstreamHandler h = upstream;
                    upstream = null;
                    over = true;
                    pool.release(h);
                } else {
                    // answered before it had the whole body (or not reusable): the rest of the body is released
                    // as it is offered, never queued for a connection that will not come
                    drop(MirrorResult.FAILED);
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
        upstream = null; // already closed: drop() must not unbind or close it again
        drop(MirrorResult.FAILED);
    }

    @Override
    public long deadlineNanos() {
        return deadlineNanos;
    }

    @Override
    public void onDeadline() {
        drop(MirrorResult.FAILED);
    }
}
