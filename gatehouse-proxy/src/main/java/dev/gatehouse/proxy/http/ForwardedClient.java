package dev.gatehouse.proxy.http;

import io.netty.util.NetUtil;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * The client of one connection as the forwarded headers name it: its address text and the last {@code Forwarded}
 * element built for it. A keep-alive connection's requests repeat both (same peer, often the same Host), so they
 * are built once per connection instead of once per request (~250 bytes a request). A connection whose requests
 * name many hosts (a CDN or a load balancer in front of many tenants) builds the element for most of them: then it
 * is one exactly sized concatenation of the connection's own "for=...;host=" prefix, the host and the proto part,
 * not a builder that grows and is then copied (a small GET naming a new host: 376 bytes a request instead of 584,
 * docs/performance.md, session 14). Confined to the connection's event loop.
 */
final class ForwardedClient {
    /** RFC 9110 tchar, as two 64-bit masks over US-ASCII: bit c of LOW for c below 64, bit c - 64 of HIGH. */
    private static final long TCHAR_LOW = mask("0123456789!#$%&'*+-.");
    private static final long TCHAR_HIGH = mask("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz^_`|~");

    private final InetAddress address;
    private final String ip;
    /** "for=" and the address as the element names it, then ";host=": what every element with a host starts with */
    private final String forHost;
    private String host;
    private String scheme;
    private String element;

    ForwardedClient(InetAddress address) {
        this.address = address;
        this.ip = NetUtil.toAddressString(address);
        this.forHost = forPart() + ";host=";
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
        if (originalHost == null) {
            return forPart() + ";proto=" + scheme;
        }
        if (isToken(originalHost)) {
            return forHost + originalHost + ";proto=" + scheme;
        }
        StringBuilder sb = new StringBuilder(forHost.length() + originalHost.length() + 16).append(forHost);
        appendQuoted(sb, originalHost);
        return sb.append(";proto=").append(scheme).toString();
    }

    private String forPart() {
        // RFC 7239 6: IPv6 literals are bracketed, and so must be quoted
        return address instanceof Inet6Address ? "for=\"[" + ip + "]\"" : "for=" + ip;
    }

    /** RFC 7239 values are tokens or quoted-strings; "host:port" and "[v6]" contain non-token characters. */
    private static boolean isToken(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (!isTchar(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static void appendQuoted(StringBuilder sb, String value) {
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
        return c < 64 ? (TCHAR_LOW & 1L << c) != 0 : c < 128 && (TCHAR_HIGH & 1L << (c - 64)) != 0;
    }

    private static long mask(String chars) {
        long m = 0;
        for (int i = 0; i < chars.length(); i++) {
            m |= 1L << (chars.charAt(i) & 63);
        }
        return m;
    }
}
