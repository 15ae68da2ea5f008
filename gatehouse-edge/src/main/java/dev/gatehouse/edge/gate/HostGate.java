package dev.gatehouse.edge.gate;

import dev.gatehouse.proxy.http.HostHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code --allow-hosts}, the first handler of a front connection: holds the first bytes until they name a host, then
 * passes them on and leaves the pipeline (the next handler connects to a node on the first message it gets), or
 * refuses the connection. A TLS record hands over to {@link SniGate} (Netty reads the ClientHello's SNI); anything
 * else must be an HTTP/1.x request head with one Host header. Bounded: {@code maxHead} bytes and {@code timeout}
 * for the whole head, whichever kind it is.
 * <p>
 * Only the first request of an HTTP connection is seen: the gate is L4 after it, as the edge is. Later requests on
 * the same connection reach the in-cluster gateway, which routes them by their own Host and answers 404 for names
 * it does not serve.
 */
public final class HostGate extends ByteToMessageDecoder {
    private static final byte TLS_HANDSHAKE_RECORD = 0x16;
    private static final ByteBuf END_OF_HEAD = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer(new byte[] {'\r', '\n', '\r', '\n'}));

    private final AllowedHosts allowed;
    private final GateRefusals refusals;
    private final int maxHead;
    private final long timeoutMillis;
    private final GateDecision decision = new GateDecision();

    /**
     * @param maxHead the most bytes held before a host is known (a ClientHello, an HTTP request head)
     * @param timeoutMillis the longest a client may take to send them
     */
    public HostGate(AllowedHosts allowed, GateRefusals refusals, int maxHead, long timeoutMillis) {
        this.allowed = allowed;
        this.refusals = refusals;
        this.maxHead = maxHead;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        decision.timeout = ctx.executor().schedule(() -> {
            if (decision.pending()) {
                decision.refuse(GateRefusals.Reason.TIMEOUT, refusals);
                ctx.close();
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        ctx.channel().closeFuture().addListener(f -> decision.timeout.cancel(false));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!decision.pending()) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.getByte(in.readerIndex()) == TLS_HANDSHAKE_RECORD) {
            // removing this decoder hands what it holds to the SniGate behind it
            ctx.pipeline().addAfter(ctx.name(), "gate-sni", new SniGate(allowed, refusals, decision, maxHead));
            ctx.pipeline().remove(this);
            return;
        }
        int end = ByteBufUtil.indexOf(END_OF_HEAD, in);
        if (end < 0) {
            if (in.readableBytes() >= maxHead) {
                refuse(ctx, in, GateRefusals.Reason.MALFORMED, "431 Request Header Fields Too Large");
            }
            return;
        }
        String host;
        try {
            host = HeadHost.of(in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.ISO_8859_1));
        } catch (IllegalArgumentException e) {
            refuse(ctx, in, e.getMessage().equals(HeadHost.NO_HOST) ? GateRefusals.Reason.NO_HOST
                    : GateRefusals.Reason.MALFORMED, "400 Bad Request");
            return;
        }
        if (!allowed.allows(host)) {
            refuse(ctx, in, GateRefusals.Reason.HOST_NOT_ALLOWED, "421 Misdirected Request");
            return;
        }
        decision.allow();
        ctx.pipeline().remove(this);
    }

    private void refuse(ChannelHandlerContext ctx, ByteBuf in, GateRefusals.Reason reason, String status) {
        in.skipBytes(in.readableBytes());
        decision.refuse(reason, refusals);
        String body = status.substring(4) + '\n';
        ctx.writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 " + status + "\r\ncontent-type: text/plain\r\n"
                        + "content-length: " + body.length() + "\r\nconnection: close\r\n\r\n" + body,
                        StandardCharsets.ISO_8859_1)).addListener(ChannelFutureListener.CLOSE);
    }

    /** What the gate decided, shared with the {@link SniGate} that decides for TLS connections. */
    static final class GateDecision {
        private boolean pending = true;
        private ScheduledFuture<?> timeout;

        boolean pending() {
            return pending;
        }

        void allow() {
            pending = false;
            timeout.cancel(false);
        }

        void refuse(GateRefusals.Reason reason, GateRefusals refusals) {
            pending = false;
            timeout.cancel(false);
            refusals.count(reason);
        }
    }

    /** The host named by one HTTP/1.x request head. */
    static final class HeadHost {
        static final String NO_HOST = "no Host header";

        private HeadHost() {
        }

        /**
         * @param head the request line and headers, without the empty line
         * @return the name the gateway routes by (the Host header's, or an absolute-form target's), lower case,
         *         without port
         * @throws IllegalArgumentException not an HTTP/1.x request head, or not exactly one Host header
         */
        static String of(String head) {
            int lineEnd = head.indexOf("\r\n");
            String requestLine = lineEnd < 0 ? head : head.substring(0, lineEnd);
            if (!(requestLine.endsWith(" HTTP/1.1") || requestLine.endsWith(" HTTP/1.0"))
                    || requestLine.indexOf(' ') <= 0) {
                throw new IllegalArgumentException("not an HTTP/1.x request line");
            }
            String host = null;
            for (int at = lineEnd; at >= 0 && at < head.length(); ) {
                int start = at + 2;
                int next = head.indexOf("\r\n", start);
                String line = head.substring(start, next < 0 ? head.length() : next);
                at = next;
                if (line.regionMatches(true, 0, "host:", 0, 5)) {
                    if (host != null) {
                        // two Host headers: the gate would check one and the cluster might read the other
                        throw new IllegalArgumentException(NO_HOST);
                    }
                    host = line.substring(5).trim();
                }
            }
            if (host == null || host.isEmpty()) {
                throw new IllegalArgumentException(NO_HOST);
            }
            // an absolute-form target's authority replaces Host in routing (RFC 9112 3.2.2): check what routes
            String target = requestLine.substring(requestLine.indexOf(' ') + 1, requestLine.lastIndexOf(' '));
            if (target.regionMatches(true, 0, "http://", 0, 7) || target.regionMatches(true, 0, "https://", 0, 8)) {
                int start = target.indexOf("://") + 3;
                int end = start;
                while (end < target.length() && target.charAt(end) != '/' && target.charAt(end) != '?') {
                    end++;
                }
                host = target.substring(start, end);
            }
            String name = HostHeader.withoutPort(host);
            if (name == null) {
                throw new IllegalArgumentException("Host is not a host name");
            }
            return name;
        }
    }
}
