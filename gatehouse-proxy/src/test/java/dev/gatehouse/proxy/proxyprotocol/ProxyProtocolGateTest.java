package dev.gatehouse.proxy.proxyprotocol;

import dev.gatehouse.proxy.observe.ExchangeObserver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ProxyProtocolGateTest {
    private static final String REQUEST = "GET / HTTP/1.1\r\nhost: a\r\n\r\n";
    private final AtomicInteger rejected = new AtomicInteger();
    private final ExchangeObserver observer = new ExchangeObserver() {
        @Override
        public void proxyProtocolRejected(int port) {
            rejected.incrementAndGet();
        }
    };
    /** What the port's pipeline received, as text, and the client address it saw when it was built. */
    private final StringBuilder received = new StringBuilder();
    private final List<Object> clientsSeen = new ArrayList<>();
    private EmbeddedChannel ch;

    @AfterEach
    void close() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    private EmbeddedChannel gate(boolean optional, long timeoutMillis) {
        ch = new EmbeddedChannel();
        ProxyProtocolGate.install(ch, optional, 8080, observer, this::portPipeline, timeoutMillis);
        return ch;
    }

    private void portPipeline(Channel c) {
        clientsSeen.add(ClientAddress.of(c));
        c.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf b = (ByteBuf) msg;
                received.append(b.toString(StandardCharsets.US_ASCII));
                b.release();
            }
        });
    }

    private static ByteBuf v2(HAProxyCommand command, String source, int port) {
        boolean v6 = source != null && source.contains(":");
        HAProxyProxiedProtocol protocol = command == HAProxyCommand.LOCAL ? HAProxyProxiedProtocol.UNKNOWN
                : v6 ? HAProxyProxiedProtocol.TCP6 : HAProxyProxiedProtocol.TCP4;
        String destination = v6 ? "2001:db8::1" : "10.0.0.1";
        EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        encoder.writeOutbound(new HAProxyMessage(HAProxyProtocolVersion.V2, command, protocol,
                command == HAProxyCommand.LOCAL ? null : source, command == HAProxyCommand.LOCAL ? null : destination,
                port, command == HAProxyCommand.LOCAL ? 0 : 443));
        ByteBuf header = encoder.readOutbound();
        encoder.finishAndReleaseAll();
        return header;
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void v2HeaderNamesTheClientAndTheBytesAfterItReachThePortPipeline() {
        gate(false, 10_000);
        ch.writeInbound(Unpooled.wrappedBuffer(v2(HAProxyCommand.PROXY, "203.0.113.7", 51000), text(REQUEST)));
        assertThat(clientsSeen).containsExactly(new InetSocketAddress("203.0.113.7", 51000));
        assertThat(received.toString()).isEqualTo(REQUEST);
        assertThat(ch.pipeline().get(ProxyProtocolGate.class)).isNull();
        assertThat(ch.pipeline().names()).noneMatch(n -> n.startsWith("proxy-protocol"));
        assertThat(ch.isOpen()).isTrue();
        assertThat(rejected).hasValue(0);
    }

    @Test
    void v2Ipv6HeaderSplitAcrossReads() {
        gate(false, 10_000);
        ByteBuf all = Unpooled.wrappedBuffer(v2(HAProxyCommand.PROXY, "2001:db8::7", 40000), text(REQUEST));
        while (all.isReadable()) {
            ch.writeInbound(all.readRetainedSlice(Math.min(5, all.readableBytes())));
        }
        all.release();
        assertThat(clientsSeen).containsExactly(new InetSocketAddress("2001:db8::7", 40000));
        assertThat(received.toString()).isEqualTo(REQUEST);
    }

    @Test
    void v1TextHeader() {
        gate(false, 10_000);
        ch.writeInbound(text("PROXY TCP4 198.51.100.9 10.0.0.1 40001 80\r\n" + REQUEST));
        assertThat(clientsSeen).containsExactly(new InetSocketAddress("198.51.100.9", 40001));
        assertThat(received.toString()).isEqualTo(REQUEST);
    }

    @Test
    void v2LocalCommandKeepsTheSocketAddress() {
        gate(false, 10_000);
        ch.writeInbound(Unpooled.wrappedBuffer(v2(HAProxyCommand.LOCAL, null, 0), text(REQUEST)));
        assertThat(clientsSeen).containsExactly(ch.remoteAddress());
        assertThat(received.toString()).isEqualTo(REQUEST);
    }

    @Test
    void aTrustedSourceWithoutHeaderIsClosedAndCounted() {
        gate(false, 10_000);
        ch.writeInbound(text(REQUEST));
        assertThat(ch.isOpen()).isFalse();
        assertThat(clientsSeen).isEmpty();
        assertThat(rejected).hasValue(1);
    }

    @Test
    void aMalformedHeaderIsClosedAndCounted() {
        gate(true, 10_000);
        ch.writeInbound(text("PROXY TCP4 not-an-address 10.0.0.1 1 2\r\n" + REQUEST));
        assertThat(ch.isOpen()).isFalse();
        assertThat(clientsSeen).isEmpty();
        assertThat(received.toString()).isEmpty();
        assertThat(rejected).hasValue(1);
    }

    @Test
    void optionalServesAConnectionWithoutHeaderAsPlain() {
        gate(true, 10_000);
        ch.writeInbound(text(REQUEST));
        assertThat(clientsSeen).containsExactly(ch.remoteAddress());
        assertThat(received.toString()).isEqualTo(REQUEST);
        assertThat(rejected).hasValue(0);
    }

    @Test
    void silenceClosesARequiredConnectionButServesAnOptionalOne() {
        gate(false, 50);
        ch.advanceTimeBy(60, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(rejected).hasValue(1);

        clientsSeen.clear();
        gate(true, 50);
        ch.writeInbound(text("HELO")); // shorter than any signature: undecided until the deadline
        ch.advanceTimeBy(60, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        assertThat(clientsSeen).containsExactly(ch.remoteAddress());
        assertThat(received.toString()).isEqualTo("HELO");
    }
}
