package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.ClientTrafficSpec;
import dev.gatehouse.proxy.http.ConnectionTimeoutHandler;
import dev.gatehouse.proxy.http.HttpProxyHandler;
import dev.gatehouse.proxy.http.ProxyContext;
import dev.gatehouse.proxy.http1.StrictHttpServerCodec;
import dev.gatehouse.proxy.timer.Deadlines;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;

import java.time.Duration;

/**
 * The HTTP/1.1 stack of one port's connections: it builds their timeouts, codec and proxy handler, and stands in
 * for all three while a keep-alive connection is quiet between requests ({@link ConnectionTimeoutHandler#QUIET}):
 * a quiet connection holds one small {@link StandIn} instead of the codec (decoder with its parse buffer, encoder,
 * method queue), the proxy handler and the timeouts handler with its scheduled task, about 1.2 KiB. Its head and
 * idle deadlines go to a timer in its event loop's list ({@link Deadlines}: no task per connection). The first
 * bytes of the next request put new handlers back and go through them.
 */
final class QuietHttp1Connection {
    static final String TIMEOUTS = "timeouts";
    static final String CODEC = "http1";
    static final String PROXY = "proxy";

    private final ProxyContext context;
    private final ClientTrafficSpec spec;
    private final HttpDecoderConfig decoderConfig;
    /** the head and idle deadlines of quiet connections; null when the port has neither */
    private final Deadlines quietDeadlines;

    QuietHttp1Connection(ProxyContext context, ClientTrafficSpec spec, HttpDecoderConfig decoderConfig) {
        this.context = context;
        this.spec = spec;
        this.decoderConfig = decoderConfig;
        Duration shortest = shortest(spec.requestHeader(), spec.idle());
        this.quietDeadlines = shortest == null ? null : new Deadlines(shortest);
    }

    /** The shorter of two timeouts that apply (positive), or null when neither does. */
    private static Duration shortest(Duration a, Duration b) {
        boolean useA = a != null && a.compareTo(Duration.ZERO) > 0;
        boolean useB = b != null && b.compareTo(Duration.ZERO) > 0;
        if (useA && useB) {
            return a.compareTo(b) <= 0 ? a : b;
        }
        return useA ? a : useB ? b : null;
    }

    ConnectionTimeoutHandler newTimeouts() {
        return new ConnectionTimeoutHandler(spec.requestHeader(), spec.idle(), spec.bodyIdle(), spec.bodyTotal(),
                spec.minBodyRateBytesPerSecond());
    }

    StrictHttpServerCodec newCodec() {
        return new StrictHttpServerCodec(decoderConfig.clone());
    }

    HttpProxyHandler newProxyHandler(ConnectionTimeoutHandler timeouts) {
        return new HttpProxyHandler(context, timeouts, spec.maxHeaderFields(), spec.backendResponse(), this::standIn);
    }

    /** What takes the place of a quiet connection's codec, proxy handler and {@code timeouts}. */
    private ChannelHandler standIn(ConnectionTimeoutHandler timeouts) {
        return new StandIn(this);
    }

    /**
     * A quiet connection's one handler: it removes the timeouts handler, keeps its head and idle deadlines in the
     * loop's list of quiet timers, and closes the connection when they pass.
     */
    static final class StandIn extends ChannelInboundHandlerAdapter implements Runnable {
        private final QuietHttp1Connection port;
        private long awaitingHeadSinceNanos;
        private ChannelHandlerContext ctx;
        private Deadlines.Timer timer;

        private StandIn(QuietHttp1Connection port) {
            this.port = port;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            ChannelPipeline p = ctx.pipeline();
            ConnectionTimeoutHandler timeouts = p.get(ConnectionTimeoutHandler.class);
            if (timeouts == null) {
                awaitingHeadSinceNanos = System.nanoTime();
                return;
            }
            awaitingHeadSinceNanos = timeouts.awaitingHeadSinceNanos();
            long nanosToDeadline = timeouts.nanosToHeadOrIdleDeadline();
            p.remove(timeouts);
            if (port.quietDeadlines != null && nanosToDeadline != Long.MAX_VALUE) {
                timer = port.quietDeadlines.timer(ctx.executor(), this);
                timer.armIn(nanosToDeadline);
            }
        }

        /** The head or idle deadline passed. */
        @Override
        public void run() {
            ctx.channel().close();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ChannelPipeline p = ctx.pipeline();
            ConnectionTimeoutHandler timeouts = port.newTimeouts();
            timeouts.resumeAwaitingHeadSince(awaitingHeadSinceNanos);
            p.addFirst(TIMEOUTS, timeouts);
            p.addAfter(ctx.name(), CODEC, port.newCodec());
            p.addAfter(CODEC, PROXY, port.newProxyHandler(timeouts));
            p.remove(this);
            // a removed context still leads to the handlers after it: the codec now
            ctx.fireChannelRead(msg);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (timer != null) {
                timer.disarm();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
