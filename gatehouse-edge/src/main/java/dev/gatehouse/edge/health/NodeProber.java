package dev.gatehouse.edge.health;

import dev.gatehouse.edge.EdgeOptions;
import dev.gatehouse.edge.pool.NodeState;
import dev.gatehouse.edge.relay.ProxyHeader;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Checks one node forever on one event loop: connect (and, for the HTTP form, one GET whose answer must be 2xx)
 * within the timeout, then the next check an interval after this one ended, so checks never overlap. The verdicts
 * go to the node's {@link NodeState}, which applies the thresholds.
 */
final class NodeProber {
    @ChannelHandler.Sharable
    private static final class Inert extends ChannelInboundHandlerAdapter {
    }

    private static final ChannelHandler INERT = new Inert();

    private final NodeState node;
    private final EdgeOptions.HealthCheck check;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private volatile int port;
    /** the PROXY header the probed port expects (OFF for a port the relay does not send one to) */
    private volatile EdgeOptions.ProxyProtocol header;
    private volatile boolean stopped;
    private ScheduledFuture<?> next;
    private Channel inFlight;

    NodeProber(NodeState node, EdgeOptions.HealthCheck check, EventLoop loop, Class<? extends Channel> channelClass) {
        this.node = node;
        this.check = check;
        this.loop = loop;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                        check.timeout().toMillis())))
                .option(ChannelOption.AUTO_READ, check.httpPath() != null)
                .handler(INERT);
    }

    /** Where to probe from now on; any thread. */
    void target(int port, EdgeOptions.ProxyProtocol header) {
        this.port = port;
        this.header = header;
    }

    void start(long initialDelayNanos) {
        execute(() -> schedule(initialDelayNanos));
    }

    void stop() {
        stopped = true;
        execute(() -> {
            if (next != null) {
                next.cancel(false);
            }
            if (inFlight != null) {
                inFlight.close();
            }
        });
    }

    private void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            stopped = true; // the loops are shutting down
        }
    }

    private void schedule(long delayNanos) {
        if (!stopped) {
            next = loop.schedule(this::probe, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void probe() {
        if (stopped) {
            return;
        }
        if (port == 0 || node.resolved() == null) {
            schedule(check.interval().toNanos());
            return;
        }
        new Attempt(new InetSocketAddress(node.resolved(), port), header);
    }

    /** One check: the first of success, failure or timeout decides. */
    private final class Attempt extends ChannelInboundHandlerAdapter {
        private final Channel channel;
        private final ScheduledFuture<?> timer;
        private boolean finished;

        Attempt(InetSocketAddress target, EdgeOptions.ProxyProtocol header) {
            ChannelFuture f = bootstrap.connect(target);
            channel = f.channel();
            inFlight = channel;
            timer = loop.schedule(() -> done(false, "timeout after " + check.timeout().toMillis() + " ms"),
                    check.timeout().toNanos(), TimeUnit.NANOSECONDS);
            f.addListener(x -> {
                if (!f.isSuccess()) {
                    done(false, f.cause() == null ? "connect cancelled" : "connect: " + f.cause().getMessage());
                } else if (check.httpPath() == null) {
                    done(true, "tcp connect ok");
                } else {
                    request(target, header);
                }
            });
        }

        private void request(InetSocketAddress target, EdgeOptions.ProxyProtocol header) {
            if (header != EdgeOptions.ProxyProtocol.OFF) {
                channel.pipeline().addLast(HAProxyMessageEncoder.INSTANCE);
                channel.write(ProxyHeader.local(header), channel.voidPromise());
                channel.pipeline().remove(HAProxyMessageEncoder.INSTANCE);
            }
            channel.pipeline().addLast(new HttpClientCodec(), this);
            DefaultFullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                    check.httpPath());
            get.headers().set(HttpHeaderNames.HOST, target.getAddress().getHostAddress())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .set(HttpHeaderNames.USER_AGENT, "gatehouse-edge-health");
            channel.writeAndFlush(get);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse r) {
                    int status = r.status().code();
                    done(status >= 200 && status < 300, "GET " + check.httpPath() + ": " + status);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done(false, "closed before answering");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done(false, cause.toString());
        }

        private void done(boolean ok, String detail) {
            if (finished) {
                return;
            }
            finished = true;
            timer.cancel(false);
            channel.close();
            inFlight = null;
            if (stopped) {
                return;
            }
            if (ok) {
                node.checkPassed(detail);
            } else {
                node.checkFailed(detail);
            }
            schedule(check.interval().toNanos());
        }
    }
}
