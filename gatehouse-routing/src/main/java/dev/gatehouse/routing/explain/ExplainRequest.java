package dev.gatehouse.routing.explain;

import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.route.EncodedSlashPolicy;
import dev.gatehouse.routing.route.PathNormalizer;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.NetUtil;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request to explain, never sent: what {@code GET /explain?method=GET&url=http://host:port/path&header=K:V}
 * and {@code gatehouse explain} describe.
 *
 * @param method upper case, e.g. "GET"
 * @param scheme "http" or "https"; "tcp", "tls" or "udp" for a connection to an L4 port
 * @param host the host routing sees, lower case, without port: the Host header's when one is given (as with
 *             {@code curl -H Host:}), else the URL's
 * @param sniHost the TLS server name a client would send: the URL's host for https and tls, {@code null} for http
 *                and for IP literals (which SNI cannot carry)
 * @param port the port the request arrives on (the URL's, or the scheme's default)
 * @param path the path as the gateway forwards it (normalised, see {@code PathNormalizer}), without query
 * @param query the raw query without '?', or {@code null}
 * @param headers request headers in the order given (Host included only when given)
 */
public record ExplainRequest(String method, String scheme, String host, String sniHost, int port, String path,
                             String query, List<Header> headers) {
    public ExplainRequest {
        headers = List.copyOf(headers);
    }

    /** One request header, as given. */
    public record Header(String name, String value) { }

    /**
     * @param method e.g. "GET"; {@code null} or empty means GET
     * @param url "http://host:port/path?query"; a URL without scheme is taken as http
     * @param headerLines "Name: value" lines
     * @throws IllegalArgumentException saying which part is malformed
     */
    public static ExplainRequest parse(String method, String url, List<String> headerLines) {
        String m = method == null || method.isBlank() ? "GET" : method.trim().toUpperCase(Locale.ROOT);
        if (!m.chars().allMatch(c -> c > ' ' && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
            throw new IllegalArgumentException("method '" + method + "' is not an HTTP token");
        }
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("url is required, e.g. http://example.com:8080/path");
        }
        String u = url.trim();
        if (!u.contains("://")) {
            u = "http://" + u;
        }
        URI uri;
        try {
            uri = new URI(u);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url '" + url + "': " + e.getMessage(), e);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        boolean l4 = scheme.equals("tcp") || scheme.equals("tls") || scheme.equals("udp");
        if (!scheme.equals("http") && !scheme.equals("https") && !l4) {
            throw new IllegalArgumentException("url '" + url + "': scheme must be http or https (or tcp, tls, udp "
                    + "for a connection to an L4 port)");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("url '" + url + "' has no host");
        }
        if (l4 && uri.getPort() < 0) {
            throw new IllegalArgumentException("url '" + url + "': a " + scheme + ":// URL needs a port");
        }
        int port = uri.getPort() < 0 ? (scheme.equals("https") ? 443 : 80) : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("url '" + url + "': port " + port + " outside 1..65535");
        }
        List<Header> headers = new ArrayList<>();
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        // a tls:// URL names the server name a client sends, as an https:// one does
        String sniHost = (scheme.equals("https") || scheme.equals("tls")) && !NetUtil.isValidIpV4Address(bare) && !NetUtil.isValidIpV6Address(bare)
                ? host : null;
        for (String line : headerLines) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("header '" + line + "' is not 'Name: value'");
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.isEmpty() || !name.chars().allMatch(c -> c > ' ' && c < 127 && c != ':')) {
                throw new IllegalArgumentException("header name '" + name + "' is not an HTTP token");
            }
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header " + name + " has a line break in its value");
            }
            if (name.equalsIgnoreCase("host")) {
                host = withoutPort(value).toLowerCase(Locale.ROOT);
            }
            headers.add(new Header(name, value));
        }
        String rawPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String path;
        try {
            // as the frontend does before routing (with the default %2F policy), so explain cannot disagree
            path = PathNormalizer.normalize(rawPath, EncodedSlashPolicy.KEEP);
        } catch (PathNormalizer.InvalidPath e) {
            throw new IllegalArgumentException("the gateway answers 400 to this path: " + e.getMessage());
        }
        return new ExplainRequest(m, scheme, host, sniHost, port, path, uri.getRawQuery(), headers);
    }

    /**
     * Reads the admin endpoint's query: {@code method}, {@code url} and repeated {@code header} parameters
     * (other parameters, such as {@code format}, are left to the caller).
     */
    public static ExplainRequest fromQueryString(String rawQuery) {
        Map<String, List<String>> params = new QueryStringDecoder(rawQuery == null ? "" : rawQuery, false).parameters();
        return parse(first(params, "method"), first(params, "url"), params.getOrDefault("header", List.of()));
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String withoutPort(String hostHeader) {
        if (hostHeader.startsWith("[")) {
            int close = hostHeader.indexOf(']');
            return close < 0 ? hostHeader : hostHeader.substring(0, close + 1);
        }
        int colon = hostHeader.indexOf(':');
        return colon < 0 ? hostHeader : hostHeader.substring(0, colon);
    }

    /** The same request with another routing host (what the TLS server name alone would select). */
    ExplainRequest withHost(String newHost) {
        return new ExplainRequest(method, scheme, newHost, sniHost, port, path, query, List.of());
    }

    /** The request as a URL (Host header applied). */
    public String url() {
        boolean defaultPort = port == (scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1);
        return scheme + "://" + host + (defaultPort ? "" : ":" + port) + path + (query == null ? "" : "?" + query);
    }

    /**
     * A fresh exchange over a real Netty request head, as the frontend would build it, for running the real
     * matchers and side-effect-free filters. A new one per use: filters change it in place.
     */
    public HttpExchange toExchange() {
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method),
                query == null ? path : path + '?' + query);
        boolean hasHost = false;
        for (Header h : headers) {
            request.headers().add(h.name(), h.value());
            hasHost |= h.name().equalsIgnoreCase("host");
        }
        if (!hasHost) {
            boolean defaultPort = port == (scheme.equals("https") ? 443 : 80);
            request.headers().set(HttpHeaderNames.HOST, defaultPort ? host : host + ":" + port);
        }
        return new HttpExchange(request, scheme, port, InetSocketAddress.createUnresolved("explain", 0),
                host, PathNormalizer.routingView(path), query);
    }
}
