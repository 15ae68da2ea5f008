package dev.gatehouse.edge.relay;

import dev.gatehouse.edge.EdgeOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The headers the relay and the checks write, read back by Netty's decoder. */
class ProxyHeaderTest {
    private static HAProxyMessage roundTrip(Object header) {
        EmbeddedChannel out = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        assertThat(out.writeOutbound(header)).isTrue();
        ByteBuf wire = out.readOutbound();
        assertThat(out.finish()).isFalse();
        EmbeddedChannel in = new EmbeddedChannel(new HAProxyMessageDecoder());
        in.writeInbound(wire);
        HAProxyMessage read = in.readInbound();
        assertThat(in.finishAndReleaseAll()).isFalse();
        return read;
    }

    @Test
    void v2NamesTheClientAndTheEdgeAddressItReached() {
        HAProxyMessage m = roundTrip(ProxyHeader.of(EdgeOptions.ProxyProtocol.V2,
                new InetSocketAddress("203.0.113.7", 51000), new InetSocketAddress("198.18.0.10", 443), ByteBufAllocator.DEFAULT));
        try {
            assertThat(m.protocolVersion()).isEqualTo(HAProxyProtocolVersion.V2);
            assertThat(m.command()).isEqualTo(HAProxyCommand.PROXY);
            assertThat(m.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP4);
            assertThat(m.sourceAddress()).isEqualTo("203.0.113.7");
            assertThat(m.sourcePort()).isEqualTo(51000);
            assertThat(m.destinationAddress()).isEqualTo("198.18.0.10");
            assertThat(m.destinationPort()).isEqualTo(443);
        } finally {
            m.release();
        }
    }

    @Test
    void v1IsTheTextForm() {
        EmbeddedChannel out = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        out.writeOutbound(ProxyHeader.of(EdgeOptions.ProxyProtocol.V1, new InetSocketAddress("203.0.113.7", 51000),
                new InetSocketAddress("198.18.0.10", 80), ByteBufAllocator.DEFAULT));
        ByteBuf wire = out.readOutbound();
        try {
            assertThat(wire.toString(StandardCharsets.US_ASCII))
                    .isEqualTo("PROXY TCP4 203.0.113.7 198.18.0.10 51000 80\r\n");
        } finally {
            wire.release();
        }
        assertThat(out.finish()).isFalse();
    }

    @Test
    void anIpv4ClientOnAnIpv6ListenerIsWrittenMapped() {
        HAProxyMessage m = roundTrip(ProxyHeader.of(EdgeOptions.ProxyProtocol.V2,
                new InetSocketAddress("203.0.113.7", 51000), new InetSocketAddress("2001:db8::1", 443), ByteBufAllocator.DEFAULT));
        try {
            assertThat(m.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP6);
            assertThat(m.sourceAddress()).isIn("::ffff:203.0.113.7", "0:0:0:0:0:ffff:cb00:7107");
            assertThat(m.destinationAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
        } finally {
            m.release();
        }
    }

    @Test
    void healthChecksSendLocalInV2AndUnknownInV1() {
        HAProxyMessage v2 = roundTrip(ProxyHeader.local(EdgeOptions.ProxyProtocol.V2));
        try {
            assertThat(v2.command()).isEqualTo(HAProxyCommand.LOCAL);
        } finally {
            v2.release();
        }
        HAProxyMessage v1 = roundTrip(ProxyHeader.local(EdgeOptions.ProxyProtocol.V1));
        try {
            assertThat(v1.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.UNKNOWN);
        } finally {
            v1.release();
        }
    }

    @Test
    void v2IsByteForByteWhatNettysEncoderWrites() {
        assertSameAsEncoder(new InetSocketAddress("203.0.113.7", 51000), new InetSocketAddress("198.18.0.10", 443));
        assertSameAsEncoder(new InetSocketAddress("203.0.113.7", 51000), new InetSocketAddress("2001:db8::1", 443));
        assertSameAsEncoder(new InetSocketAddress("2001:db8::7", 65535), new InetSocketAddress("2001:db8::1", 1));
    }

    private static void assertSameAsEncoder(InetSocketAddress client, InetSocketAddress local) {
        boolean v4 = client.getAddress() instanceof java.net.Inet4Address
                && local.getAddress() instanceof java.net.Inet4Address;
        String src = client.getAddress().getHostAddress();
        String dst = local.getAddress().getHostAddress();
        EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        encoder.writeOutbound(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
                v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
                v4 || src.contains(":") ? src : "::ffff:" + src, v4 || dst.contains(":") ? dst : "::ffff:" + dst,
                client.getPort(), local.getPort()));
        ByteBuf expected = encoder.readOutbound();
        ByteBuf actual = ProxyHeader.of(EdgeOptions.ProxyProtocol.V2, client, local, ByteBufAllocator.DEFAULT);
        try {
            assertThat(ByteBufUtil.hexDump(actual)).isEqualTo(ByteBufUtil.hexDump(expected));
        } finally {
            expected.release();
            actual.release();
        }
        assertThat(encoder.finish()).isFalse();
    }
}
