package dev.gatehouse.proxy.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

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

    /** For one request: see {@link #apply(HttpHeaders, ForwardedClient, String, String)}. */
    static void apply(HttpHeaders headers, InetAddress client, String originalHost, String scheme) {
        apply(headers, new ForwardedClient(client), originalHost, scheme);
    }

    /**
     * @param client the peer that sent us the request, as its connection keeps it
     * @param originalHost the Host header as received (before any filter rewrote it), or null
     * @param scheme "http" or "https"
     */
    static void apply(HttpHeaders headers, ForwardedClient client, String originalHost, String scheme) {
        String ip = client.ip();
        String xff = joined(headers, X_FORWARDED_FOR);
        headers.set(X_FORWARDED_FOR, xff == null ? ip : xff + ", " + ip);
        headers.set(X_FORWARDED_PROTO, "https".equals(scheme) ? HTTPS : HTTP);
        if (originalHost != null) {
            headers.set(X_FORWARDED_HOST, originalHost);
        }
        String element = client.element(originalHost, scheme);
        String existing = joined(headers, FORWARDED);
        headers.set(FORWARDED, existing == null ? element : existing + ", " + element);
    }

    /**
     * What {@link #apply} would add, as name, value, name, value... in its order, when {@code headers} holds none
     * of the four names: then apply's {@code set}s only append, and these lines written after the map's own are
     * the bytes the encoder would have written for the map after apply. Else null (apply must merge).
     */
    static CharSequence[] lines(HttpHeaders headers, ForwardedClient client, String originalHost, String scheme) {
        if (headers.contains(X_FORWARDED_FOR) || headers.contains(X_FORWARDED_PROTO)
                || headers.contains(X_FORWARDED_HOST) || headers.contains(FORWARDED)) {
            return null;
        }
        AsciiString proto = "https".equals(scheme) ? HTTPS : HTTP;
        String element = client.element(originalHost, scheme);
        return originalHost == null
                ? new CharSequence[] {X_FORWARDED_FOR, client.ip(), X_FORWARDED_PROTO, proto, FORWARDED, element}
                : new CharSequence[] {X_FORWARDED_FOR, client.ip(), X_FORWARDED_PROTO, proto,
                        X_FORWARDED_HOST, originalHost, FORWARDED, element};
    }

    /** Adds {@link #lines} to the map after all: the same map {@link #apply} would have left. */
    static void add(HttpHeaders headers, CharSequence[] lines) {
        for (int i = 0; i < lines.length; i += 2) {
            headers.add(lines[i], lines[i + 1]);
        }
    }

    private static String joined(HttpHeaders headers, AsciiString name) {
        String first = headers.get(name);
        if (first == null) {
            return null;
        }
        List<String> all = headers.getAll(name);
        return all.size() == 1 ? first : String.join(", ", all);
    }
}
