package dev.gatehouse.proxy.http;

import io.netty.util.NetUtil;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * The client of one connection as the forwarded headers name it: its address text and the last {@code Forwarded}
 * element built for it. A keep-alive connection's requests repeat both (same peer, nearly always the same Host), so
 * they are built once per connection instead of once per request (~250 bytes a request). Confined to the
 * connection's event loop.
 */
final class ForwardedClient {
    private final InetAddress address;
    private final String ip;
    private String host;
    private String scheme;
    private String element;

    ForwardedClient(InetAddress address) {
        this.address = address;
        this.ip = NetUtil.toAddressString(address);
    }

    /** The address as X-Forwarded-For carries it. */
    String ip() {
        return ip;
    }

    /** This hop's RFC 7239 element, e.g. {@code for=192.0.2.7;host=example.com;proto=http}. */
    String element(String originalHost, String scheme) {
        if (element == null || !Objects.equals(host, originalHost) || !scheme.equals(this.scheme)) {
            element = build(originalHost, scheme);
            host = originalHost;
            this.scheme = scheme;
        }
        return element;
    }

    private String build(String originalHost, String scheme) {
        StringBuilder sb = new StringBuilder(48).append("for=");
        if (address instanceof Inet6Address) {
            // RFC 7239 6: IPv6 literals are bracketed, and so must be quoted
            sb.append("\"[").append(ip).append("]\"");
        } else {
            sb.append(ip);
        }
        if (originalHost != null) {
            sb.append(";host=");
            appendTokenOrQuoted(sb, originalHost);
        }
        return sb.append(";proto=").append(scheme).toString();
    }

    /** RFC 7239 values are tokens or quoted-strings; "host:port" and "[v6]" contain non-token characters. */
    private static void appendTokenOrQuoted(StringBuilder sb, String value) {
        boolean token = !value.isEmpty();
        for (int i = 0; i < value.length() && token; i++) {
            token = isTchar(value.charAt(i));
        }
        if (token) {
            sb.append(value);
            return;
        }
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        sb.append('"');
    }

    private static boolean isTchar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
