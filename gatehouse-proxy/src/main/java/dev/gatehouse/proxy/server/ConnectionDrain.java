package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.http.HttpProxyHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The accepted connections of one server, and how they end when it stops. Once the listening sockets are
 * closed, {@link #drain} asks each connection on its own event loop to finish: an HTTP/1.1 connection between
 * requests closes at once and a busy one after its response (which says {@code Connection: close}, see
 * {@link HttpProxyHandler#drain}); an h2 connection gets GOAWAY and closes when its last stream ends. What is
 * still open when the time is up (SSE, WebSocket, slow downloads) is closed.
 */
final class ConnectionDrain {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionDrain.class);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How often a drain looks whether the last connection has closed. */
    private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /**
     * The open connections: a closed one leaves by itself. A set and one close listener shared by all, not a
     * {@code ChannelGroup}, whose listener would be a second one on each connection's close future besides the
     * gauge's (and a second listener costs each connection a listener array).
     */
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();

    /** The child handler, with every accepted connection tracked (and counted, unless {@code counter} is null) first. */
    ChannelHandler tracking(ConnectionCounter counter, ChannelHandler frontend) {
        ChannelFutureListener closed = counter == null
                ? f -> connections.remove(f.channel())
                : f -> {
                    connections.remove(f.channel());
                    counter.closed(f.channel());
                };
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                connections.add(ch);
                if (counter != null) {
                    counter.opened(ch);
                }
                ch.closeFuture().addListener(closed);
                ch.pipeline().addLast(frontend);
            }
        };
    }

    /**
     * Blocks the calling (control) thread until every connection has closed or {@code timeout} has passed, then
     * closes the rest. The listening sockets must already be closed, so the group only shrinks; a connection
     * accepted just before joins late and is asked to finish as soon as it is seen.
     */
    void drain(Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Set<Channel> asked = new HashSet<>();
        int inFlight = ask(asked, deadline);
        LOG.info("draining {} connection(s) ({} request(s) in flight) for up to {}", asked.size(), inFlight,
                seconds(timeout.toNanos()));
        while (!connections.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                List<Channel> open = List.copyOf(connections);
                open.forEach(ConnectionDrain::closeNow);
                LOG.info("drain timeout after {}: closed {} connection(s) still busy (long-lived streams such as "
                        + "SSE, WebSocket or slow downloads)", seconds(System.nanoTime() - start), open.size());
                return;
            }
            // a short wait, so a late joiner is asked soon rather than once all the others have closed
            long askAgain = System.nanoTime() + Math.min(left, POLL_NANOS);
            while (!connections.isEmpty() && askAgain - System.nanoTime() > 0) {
                LockSupport.parkNanos(CHECK_NANOS);
            }
            ask(asked, deadline);
        }
        LOG.info("drained in {}", seconds(System.nanoTime() - start));
    }

    /** Asks each connection not yet asked to finish; returns how many requests they have in flight. */
    private int ask(Set<Channel> asked, long deadline) {
        List<Future<Integer>> answers = new ArrayList<>();
        for (Channel ch : connections) {
            if (asked.add(ch)) {
                long graceMillis = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                answers.add(ch.eventLoop().submit(() -> finish(ch, graceMillis)));
            }
        }
        int inFlight = 0;
        for (Future<Integer> answer : answers) {
            // a loop busy for a second is past caring about; the count is for the log only
            if (answer.awaitUninterruptibly(1, TimeUnit.SECONDS) && answer.isSuccess()) {
                inFlight += answer.getNow();
            }
        }
        return inFlight;
    }

    /** On the connection's loop: starts its end; returns its requests in flight. */
    private static int finish(Channel ch, long graceMillis) {
        Http2Frontend h2 = ch.pipeline().get(Http2Frontend.class);
        if (h2 != null) {
            int streams = h2.connection().numActiveStreams();
            // Netty's graceful close: GOAWAY(NO_ERROR) naming the last stream it took, so the client opens no
            // more and retries nothing it had in flight; the connection closes when its last stream ends, or
            // when the grace is over
            h2.gracefulShutdownTimeoutMillis(graceMillis);
            ch.close();
            return streams;
        }
        HttpProxyHandler proxy = ch.pipeline().get(HttpProxyHandler.class);
        if (proxy != null) {
            return proxy.drain() ? 1 : 0;
        }
        if (ch.pipeline().get(QuietHttp1Connection.StandIn.class) != null) {
            ch.close(); // keep-alive between requests, quiet for a while: nothing in flight
            return 0;
        }
        // no proxy handler left: a spliced WebSocket, closed when the time is up
        return ch.isActive() ? 1 : 0;
    }

    /** Past the grace: from the first handler, so no handler's own close (the h2 codec's waits) holds it up. */
    private static void closeNow(Channel ch) {
        ChannelHandlerContext first = ch.pipeline().firstContext();
        if (first != null) {
            first.close();
        } else {
            ch.close();
        }
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
