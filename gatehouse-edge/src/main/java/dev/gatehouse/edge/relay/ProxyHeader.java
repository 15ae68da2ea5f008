package dev.gatehouse.edge.relay;

import dev.gatehouse.edge.EdgeOptions;
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

/** The PROXY protocol header naming a client connection's two ends, for Netty's HAProxyMessageEncoder. */
public final class ProxyHeader {
    private ProxyHeader() {
    }

    /**
     * @param client the client's address as the edge accepted it
     * @param local the edge's address the client connected to
     */
    public static HAProxyMessage of(EdgeOptions.ProxyProtocol version, InetSocketAddress client,
                                    InetSocketAddress local) {
        HAProxyProtocolVersion v = version == EdgeOptions.ProxyProtocol.V1 ? HAProxyProtocolVersion.V1
                : HAProxyProtocolVersion.V2;
        InetAddress src = client.getAddress();
        InetAddress dst = local.getAddress();
        boolean v4 = src instanceof Inet4Address && dst instanceof Inet4Address;
        return new HAProxyMessage(v, HAProxyCommand.PROXY, v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
                v4 ? src.getHostAddress() : v6(src), v4 ? dst.getHostAddress() : v6(dst), client.getPort(),
                local.getPort());
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
