package dev.gatehouse.proxy.http;

import dev.gatehouse.ir.BackendProtocol;
import dev.gatehouse.proxy.upstream.UpstreamHandler;
import dev.gatehouse.proxy.upstream.UpstreamKey;
import dev.gatehouse.proxy.upstream.UpstreamListener;
import dev.gatehouse.proxy.upstream.UpstreamPool;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.filter.UpstreamCalls;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * One bodiless request a filter sends to another cluster and waits for ({@link UpstreamCalls}: an ext-auth check),
 * on the client's event loop with that loop's pool: an idle pooled HTTP/1.1 connection or a new one, as
 * {@link MirrorExchange} does, and back to the pool when the answer ended cleanly. The deadline covers connect,
 * request and answer. A pooled connection that closes before any answer is replaced once by a new connection
 * (the backend closed it while idle; the request has no body and is safe to send again).
 */
final class SideCall implements UpstreamListener {
    private final UpstreamPool pool;
    private final UpstreamKey key;
    private final HttpRequest head;
    private final long deadlineNanos;
    private final int maxBodyBytes;
    private final CompletableFuture<UpstreamCalls.Answer> result = new CompletableFuture<>();
    private UpstreamHandler upstream;
    private HttpResponse response;
    private ByteArrayOutputStream body;
    private boolean reused;

    private SideCall(UpstreamPool pool, UpstreamKey key, HttpRequest head, long deadlineNanos, int maxBodyBytes) {
        this.pool = pool;
        this.key = key;
        this.head = head;
        this.deadlineNanos = deadlineNanos;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Starts the call on {@code pool}'s loop (the caller's); the result completes on that loop. */
    static CompletionStage<UpstreamCalls.Answer> start(UpstreamPool pool, Cluster cluster, HttpRequest head,
                                                       Duration timeout, int maxBodyBytes) {
        InetSocketAddress endpoint = cluster.pick();
        if (endpoint == null) {
            ReferenceCountUtil.release(head);
            return CompletableFuture.failedFuture(new ConnectException("no ready endpoints for " + cluster.name()));
        }
        SideCall call = new SideCall(pool, new UpstreamKey(endpoint, BackendProtocol.HTTP_1_1, cluster.tls()), head,
                System.nanoTime() + timeout.toNanos(), maxBodyBytes);
        UpstreamHandler idle = pool.pollIdle(call.key);
        if (idle != null) {
            call.reused = true;
            call.bind(idle);
        } else {
            call.connect();
        }
        return call.result;
    }

    private void connect() {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            fail(new TimeoutException("ext call timed out"));
            return;
        }
        ChannelFuture f = pool.connect(key, (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
        if (f.isDone()) {
            onConnect(f);
        } else {
            f.addListener(done -> onConnect((ChannelFuture) done));
        }
    }

    private void onConnect(ChannelFuture f) {
        if (result.isDone()) {
            f.channel().close();
            return;
        }
        if (!f.isSuccess()) {
            fail(f.cause() == null ? new ConnectException("connect failed") : f.cause());
            return;
        }
        bind(f.channel().pipeline().get(UpstreamHandler.class));
    }

    private void bind(UpstreamHandler h) {
        upstream = h;
        h.bind(this);
        // the pooled codec may keep the head for a retry: each write gets its own reference
        ReferenceCountUtil.retain(head);
        h.channel().writeAndFlush(head, h.channel().voidPromise());
    }

    private void fail(Throwable cause) {
        ReferenceCountUtil.release(head);
        UpstreamHandler h = upstream;
        upstream = null;
        if (h != null) {
            h.unbind();
            h.channel().close();
        }
        result.completeExceptionally(cause);
    }

    @Override
    public void onUpstreamRead(Object msg) {
        try {
            if (result.isDone()) {
                return;
            }
            if (msg instanceof HttpResponse r) {
                if (!r.decoderResult().isSuccess()) {
                    fail(new IOException("malformed answer: " + r.decoderResult().cause()));
                    return;
                }
                if (r.status().code() >= 200) {
                    response = r;
                    body = new ByteArrayOutputStream();
                }
            }
            if (msg instanceof HttpContent c && response != null) {
                ByteBuf content = c.content();
                if (body.size() + content.readableBytes() > maxBodyBytes) {
                    fail(new IOException("answer body longer than " + maxBodyBytes + " bytes"));
                    return;
                }
                content.getBytes(content.readerIndex(), body, content.readableBytes());
                if (c instanceof LastHttpContent) {
                    UpstreamHandler h = upstream;
                    upstream = null;
                    if (HttpUtil.isKeepAlive(response)) {
                        pool.release(h);
                    } else {
                        h.unbind();
                        h.channel().close();
                    }
                    ReferenceCountUtil.release(head);
                    result.complete(new UpstreamCalls.Answer(response.status().code(), response.headers(),
                            body.toByteArray()));
                }
            }
        } catch (IOException e) {
            fail(e);
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
        upstream = null; // closed already
        if (result.isDone()) {
            return;
        }
        if (reused && response == null) {
            reused = false;
            connect(); // the backend closed an idle connection under us: once more on a new one
            return;
        }
        fail(cause != null ? cause : new IOException("connection closed before the answer ended"));
    }

    @Override
    public long deadlineNanos() {
        return deadlineNanos;
    }

    @Override
    public void onDeadline() {
        if (!result.isDone()) {
            fail(new TimeoutException("no answer in time"));
        }
    }
}
