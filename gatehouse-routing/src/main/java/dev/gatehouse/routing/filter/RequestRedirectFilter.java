package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.FilterSpec.RequestRedirectSpec;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.util.Locale;

/**
 * Gateway API {@code RequestRedirect}: answers with a 3xx and a {@code Location} built from the request and
 * the filter. Port rules (HTTPRequestRedirectFilter.port): the filter's port if set; else, if the filter sets
 * a scheme, that scheme's well-known port; else the port the request arrived on. The port is left out of
 * {@code Location} when it is the default of the resulting scheme (http 80, https 443). The query is kept.
 */
public final class RequestRedirectFilter implements HttpFilter {
    private final String scheme;
    private final String hostname;
    private final PathRewrite path;
    private final Integer port;
    private final HttpResponseStatus status;

    private RequestRedirectFilter(String scheme, String hostname, PathRewrite path, Integer port,
                                  HttpResponseStatus status) {
        this.scheme = scheme;
        this.hostname = hostname;
        this.path = path;
        this.port = port;
        this.status = status;
    }

    public static RequestRedirectFilter compile(RequestRedirectSpec spec) {
        String scheme = spec.scheme() == null ? null : spec.scheme().toLowerCase(Locale.ROOT);
        if (scheme != null && !scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("RequestRedirect scheme '" + spec.scheme() + "' is not http or https");
        }
        int code = spec.statusCode() == 0 ? 302 : spec.statusCode();
        if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) {
            throw new IllegalArgumentException("RequestRedirect statusCode " + spec.statusCode()
                    + " is not one of 301, 302, 303, 307, 308");
        }
        if (spec.port() != null && (spec.port() < 1 || spec.port() > 65535)) {
            throw new IllegalArgumentException("RequestRedirect port " + spec.port() + " outside 1..65535");
        }
        String hostname = spec.hostname();
        if (hostname != null) {
            HeaderFieldValidator.value("Location", hostname);
            if (hostname.isEmpty() || hostname.indexOf('/') >= 0 || hostname.indexOf(' ') >= 0) {
                throw new IllegalArgumentException("RequestRedirect hostname '" + hostname + "' is not a host name");
            }
        }
        PathRewrite path = spec.path() == null ? null : PathRewrite.compile(spec.path());
        return new RequestRedirectFilter(scheme, hostname, path, spec.port(), HttpResponseStatus.valueOf(code));
    }

    @Override
    public FilterResult onRequest(HttpExchange exchange) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
        response.headers()
                .set(HttpHeaderNames.LOCATION, location(exchange))
                .set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
        return new FilterResult.Respond(response);
    }

    /** The absolute {@code Location} for this request. */
    String location(HttpExchange exchange) {
        String requestScheme = exchange.scheme() == null ? "http" : exchange.scheme();
        String resultScheme = scheme != null ? scheme : requestScheme;
        int resultPort;
        if (port != null) {
            resultPort = port;
        } else if (scheme != null) {
            resultPort = wellKnownPort(scheme);
        } else {
            resultPort = exchange.listenerPort();
        }
        String host = hostname != null ? hostname : exchange.host();
        String resultPath = path != null ? path.apply(exchange.path()) : exchange.path();
        if (resultPath == null || resultPath.isEmpty()) {
            resultPath = "/";
        }
        String query = exchange.query();

        StringBuilder sb = new StringBuilder(resultScheme.length() + 24 + resultPath.length()
                + (query == null ? 0 : query.length() + 1));
        // Without any host (an HTTP/1.0 request with no Host and no filter hostname) the only honest
        // answer is a relative reference, which RFC 9110 allows in Location.
        if (host != null && !host.isEmpty()) {
            sb.append(resultScheme).append("://");
            if (host.indexOf(':') >= 0 && host.charAt(0) != '[') {
                sb.append('[').append(host).append(']'); // IPv6 literal
            } else {
                sb.append(host);
            }
            if (resultPort > 0 && resultPort != wellKnownPort(resultScheme)) {
                sb.append(':').append(resultPort);
            }
        }
        sb.append(resultPath);
        if (query != null) {
            sb.append('?').append(query);
        }
        return sb.toString();
    }

    private static int wellKnownPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }

    /** e.g. {@code RequestRedirect -> https://example.com:443/new 301}; braces stand for what the request supplies. */
    @Override
    public String describe() {
        return "RequestRedirect -> " + (scheme != null ? scheme : "{scheme}") + "://"
                + (hostname != null ? hostname : "{host}") + (port != null ? ":" + port : "")
                + (path == null ? "{path}" : path.template()) + " " + status.code();
    }

    @Override
    public boolean sideEffectFree() {
        return true;
    }

    @Override
    public String toString() {
        return "RequestRedirect[" + status.code()
                + (scheme != null ? " scheme=" + scheme : "")
                + (hostname != null ? " hostname=" + hostname : "")
                + (port != null ? " port=" + port : "")
                + (path != null ? " path=" + path : "") + "]";
    }
}
