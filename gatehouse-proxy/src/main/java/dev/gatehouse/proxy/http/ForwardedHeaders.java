package dev.gatehouse.proxy.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.NetUtil;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/** Adds X-Forwarded-For/-Proto/-Host and one RFC 7239 {@code Forwarded} element to a request going upstream. */
final class ForwardedHeaders {
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString FORWARDED = AsciiString.cached("forwarded");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString HTTPS = AsciiString.cached("https");

    private ForwardedHeaders() {
    }

    /**
     * @param client the peer that sent us the request
     * @param originalHost the Host header as received (before any filter rewrote it), or null
     * @param scheme "http" or "https"
     */
    static void apply(HttpHeaders headers, InetAddress client, String originalHost, String scheme) {
        String ip = NetUtil.toAddressString(client);
        String xff = joined(headers, X_FORWARDED_FOR);
        headers.set(X_FORWARDED_FOR, xff == null ? ip : xff + ", " + ip);
        headers.set(X_FORWARDED_PROTO, "https".equals(scheme) ? HTTPS : HTTP);
        if (originalHost != null) {
            headers.set(X_FORWARDED_HOST, originalHost);
        }
        StringBuilder element = new StringBuilder(48).append("for=");
        if (client instanceof Inet6Address) {
            // RFC 7239 6: IPv6 literals are bracketed, and so must be quoted
            element.append("\"[").append(ip).append("]\"");
        } else {
            element.append(ip);
        }
        if (originalHost != null) {
            element.append(";host=");
            appendTokenOrQuoted(element, originalHost);
        }
        element.append(";proto=").append(scheme);
        String existing = joined(headers, FORWARDED);
        headers.set(FORWARDED, existing == null ? element.toString() : existing + ", " + element);
    }

    private static String joined(HttpHeaders headers, AsciiString name) {
        String first = headers.get(name);
        if (first == null) {
            return null;
        }
        List<String> all = headers.getAll(name);
        return all.size() == 1 ? first : String.join(", ", all);
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
