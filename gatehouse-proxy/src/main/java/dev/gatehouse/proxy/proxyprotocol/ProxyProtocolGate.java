package dev.gatehouse.proxy.proxyprotocol;

import dev.gatehouse.proxy.observe.ExchangeObserver;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.ProtocolDetectionResult;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads the PROXY header a trusted source opens its connection with, then builds the port's real pipeline behind
 * it. Installed only for sources in the port's trusted CIDRs; any other connection never meets it, so PROXY bytes
 * from them reach the HTTP codec (400) or the backend as plain data.
 * <pre>
 * detect (v1 "PROXY ", v2 signature, or neither) -> HAProxyMessageDecoder (Netty) -> gate -> the port's pipeline
 * </pre>
 * The real pipeline is built only once the header is read, so an L4 relay never connects its backend (nor a TLS
 * port peeks at a ClientHello) before it knows who the client is. A trusted connection without a header is closed,
 * counted ({@link ExchangeObserver#proxyProtocolRejected}) and logged, or served as plain traffic when the policy
 * says {@code optional}. A v2 LOCAL header (a balancer's own health check) and an UNKNOWN/UNIX one keep the
 * socket's address.
 */
public final class ProxyProtocolGate extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyProtocolGate.class);
    /** A trusted connection must deliver its whole header within this (Envoy waits 15 s for listener filters). */
    static final long HEADER_TIMEOUT_MILLIS = 10_000;
    private static final String DECODER = "proxy-protocol";

    private final boolean optional;
    private final int port;
    private final ExchangeObserver observer;
    private final Consumer<Channel> next;
    private final long timeoutMillis;
    private Future<?> timeout;
    private boolean headerStarted;
    private boolean done;
    private boolean rejected;

    private ProxyProtocolGate(boolean optional, int port, ExchangeObserver observer, Consumer<Channel> next,
                              long timeoutMillis) {
        this.optional = optional;
        this.port = port;
        this.observer = observer;
        this.next = next;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * @param optional serve a connection without a header as plain traffic instead of closing it
     * @param next adds the port's pipeline (with {@code addLast}) once the header, or its absence, is settled
     */
    public static void install(Channel ch, boolean optional, int port, ExchangeObserver observer,
                               Consumer<Channel> next) {
        install(ch, optional, port, observer, next, HEADER_TIMEOUT_MILLIS);
    }

    static void install(Channel ch, boolean optional, int port, ExchangeObserver observer, Consumer<Channel> next,
                        long timeoutMillis) {
        ProxyProtocolGate gate = new ProxyProtocolGate(optional, port, observer, next, timeoutMillis);
        ch.pipeline().addLast(DECODER, new Detect(gate)).addLast("proxy-protocol-gate", gate);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            armTimeout(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        armTimeout(ctx);
        ctx.fireChannelActive();
    }

    private void armTimeout(ChannelHandlerContext ctx) {
        if (timeout == null) {
            timeout = ctx.executor().schedule(() -> {
                if (!done) {
                    if (optional && !headerStarted) {
                        // a client of a server-speaks-first protocol sends nothing: with optional it is plain
                        proceed(ctx);
                    } else {
                        reject(ctx, "no PROXY header within " + timeoutMillis + " ms");
                    }
                }
            }, timeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            InetSocketAddress client = source(header);
            if (client != null) {
                ClientAddress.set(ctx.channel(), client);
            }
        } finally {
            header.release();
        }
        proceed(ctx);
    }

    /** The header's source, or {@code null} when the socket's address stands (LOCAL, UNKNOWN, UNIX). */
    private static InetSocketAddress source(HAProxyMessage header) {
        HAProxyProxiedProtocol.AddressFamily family = header.proxiedProtocol().addressFamily();
        if (header.command() != HAProxyCommand.PROXY || header.sourceAddress() == null
                || family != HAProxyProxiedProtocol.AddressFamily.AF_IPv4
                && family != HAProxyProxiedProtocol.AddressFamily.AF_IPv6) {
            return null;
        }
        InetAddress address = NetUtil.createInetAddressFromIpAddressString(header.sourceAddress());
        return address == null ? null : new InetSocketAddress(address, header.sourcePort());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!done) {
            reject(ctx, "invalid PROXY header: " + cause.getMessage());
        } else if (!rejected) {
            ctx.fireExceptionCaught(cause);
        } // else: Netty's decoder reading the leftovers of a rejected connection as it closes

    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        ctx.fireChannelInactive();
    }

    /** Header read (or none, optionally): the port's pipeline goes in behind, and the gate leaves. */
    private void proceed(ChannelHandlerContext ctx) {
        done = true;
        cancelTimeout();
        next.accept(ctx.channel());
        if (ctx.pipeline().get(DECODER) instanceof Detect detect) {
            ctx.pipeline().remove(detect); // what it held flows through here into the port's pipeline
        }
        ctx.pipeline().remove(this);
    }

    private void reject(ChannelHandlerContext ctx, String reason) {
        done = true;
        rejected = true;
        cancelTimeout();
        observer.proxyProtocolRejected(port);
        LOG.info("port {}: closed a connection from {} (a trusted PROXY protocol source): {}", port,
                ctx.channel().remoteAddress(), reason);
        ctx.close();
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    /**
     * Looks at the first bytes: a PROXY signature hands them to Netty's decoder (replacing this handler, so the
     * bytes held here reach it); anything else is plain traffic (optional) or a reject.
     */
    private static final class Detect extends ByteToMessageDecoder {
        private final ProxyProtocolGate gate;

        Detect(ProxyProtocolGate gate) {
            this.gate = gate;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            ProtocolDetectionResult<HAProxyProtocolVersion> detected = HAProxyMessageDecoder.detectProtocol(in);
            switch (detected.state()) {
                case NEEDS_MORE_DATA -> {
                }
                case DETECTED -> {
                    gate.headerStarted = true;
                    ctx.pipeline().replace(this, DECODER, new HAProxyMessageDecoder());
                }
                case INVALID -> {
                    ChannelHandlerContext gateCtx = ctx.pipeline().context(gate);
                    if (gate.optional) {
                        gate.proceed(gateCtx);
                    } else {
                        in.skipBytes(in.readableBytes());
                        gate.reject(gateCtx, "the connection did not start with a PROXY header");
                    }
                }
            }
        }
    }
}
