package dev.gatehouse.edge.relay;

import dev.gatehouse.edge.EdgeOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** The PROXY protocol header naming a client connection's two ends. */
public final class ProxyHeader {
    private ProxyHeader() {
    }

    /** v2's signature, then version 2 and PROXY (0x21) */
    private static final byte[] V2_START = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21};
    private static final byte[] V4_MAPPED = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF};

    /**
     * Written here rather than by Netty's HAProxyMessageEncoder: an HAProxyMessage per connection formatted both
     * addresses as text for the encoder to parse back into bytes, a fifth of the edge's allocation per connection.
     *
     * @param client the client's address as the edge accepted it
     * @param local the edge's address the client connected to
     * @return the header's bytes, the same as the encoder's
     */
    public static ByteBuf of(EdgeOptions.ProxyProtocol version, InetSocketAddress client, InetSocketAddress local,
                             ByteBufAllocator alloc) {
        InetAddress src = client.getAddress();
        InetAddress dst = local.getAddress();
        boolean v4 = src instanceof Inet4Address && dst instanceof Inet4Address;
        if (version == EdgeOptions.ProxyProtocol.V1) {
            String line = "PROXY " + (v4 ? "TCP4 " + src.getHostAddress() + ' ' + dst.getHostAddress()
                    : "TCP6 " + v6(src) + ' ' + v6(dst)) + ' ' + client.getPort() + ' ' + local.getPort() + "\r\n";
            ByteBuf b = alloc.ioBuffer(line.length());
            b.writeCharSequence(line, StandardCharsets.US_ASCII);
            return b;
        }
        int length = v4 ? 12 : 36;
        ByteBuf b = alloc.ioBuffer(V2_START.length + 3 + length);
        b.writeBytes(V2_START).writeByte(v4 ? 0x11 : 0x21).writeShort(length);
        if (v4) {
            b.writeBytes(src.getAddress()).writeBytes(dst.getAddress());
        } else {
            writeV6(b, src);
            writeV6(b, dst);
        }
        return b.writeShort(client.getPort()).writeShort(local.getPort());
    }

    private static void writeV6(ByteBuf b, InetAddress a) {
        if (a instanceof Inet4Address) {
            b.writeBytes(V4_MAPPED);
        }
        b.writeBytes(a.getAddress());
    }

    /**
     * The header of the edge's own health checks: v2 LOCAL (the receiver keeps the socket's address), or v1's
     * "PROXY UNKNOWN" line (v1 has no LOCAL; Netty's encoder cannot write UNKNOWN, so the line is written as is).
     *
     * @return an {@link HAProxyMessage} for the encoder, or the v1 line's bytes
     */
    public static Object local(EdgeOptions.ProxyProtocol version) {
        return version == EdgeOptions.ProxyProtocol.V1
                ? Unpooled.copiedBuffer("PROXY UNKNOWN\r\n", StandardCharsets.US_ASCII)
                : new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN,
                        null, null, 0, 0);
    }

    /** One end IPv4, the other IPv6 (a dual-stack listener): both written as IPv6, the IPv4 one mapped. */
    private static String v6(InetAddress a) {
        if (a instanceof Inet6Address) {
            return a.getHostAddress();
        }
        return "::ffff:" + a.getHostAddress();
    }
}
