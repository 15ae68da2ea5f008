package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.FilterSpec.CorsSpec;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

import java.util.List;

/**
 * Gateway API {@code CORS} (HTTPCORSFilter).
 *
 * <p>A preflight (OPTIONS with Origin and Access-Control-Request-Method) is answered by the gateway with
 * 200: with the CORS headers when the origin is allowed, without them when it is not (the spec allows
 * 200/204 without headers or 403). Any other request with an allowed Origin goes to the backend and gets
 * Access-Control-Allow-Origin, -Expose-Headers and -Allow-Credentials added to the response.
 *
 * <p>The allowed origin is always echoed rather than answered with "*": valid with and without
 * credentials, where "*" is forbidden with credentials. Likewise a "*" in allowMethods/allowHeaders is
 * answered with the method/headers the preflight asked for. Vary: Origin keeps caches from serving one
 * origin's answer to another.
 */
public final class CorsFilter implements HttpFilter {
    /** Spec default when maxAge is unset. */
    static final int DEFAULT_MAX_AGE_SECONDS = 5;
    private static final AsciiString TRUE = AsciiString.cached("true");
    private static final AsciiString ORIGIN_TOKEN = AsciiString.cached("Origin");
    private static final AsciiString WILDCARD = AsciiString.cached("*");

    private final AllowedOrigins origins;
    private final boolean allowCredentials;
    /** joined lists, or null when unset; "*" in allowMethods/allowHeaders means echo the request */
    private final AsciiString allowMethods;
    private final AsciiString allowHeaders;
    private final AsciiString exposeHeaders;
    private final AsciiString maxAge;

    private CorsFilter(AllowedOrigins origins, boolean allowCredentials, AsciiString allowMethods,
                       AsciiString allowHeaders, AsciiString exposeHeaders, AsciiString maxAge) {
        this.origins = origins;
        this.allowCredentials = allowCredentials;
        this.allowMethods = allowMethods;
        this.allowHeaders = allowHeaders;
        this.exposeHeaders = exposeHeaders;
        this.maxAge = maxAge;
    }

    public static CorsFilter compile(CorsSpec spec) {
        AsciiString expose = joined("exposeHeaders", spec.exposeHeaders());
        if (WILDCARD.equals(expose) && spec.allowCredentials()) {
            expose = null; // "*" is not a wildcard for credentialed requests and no echo exists for it
        }
        int maxAge = spec.maxAgeSeconds() > 0 ? spec.maxAgeSeconds() : DEFAULT_MAX_AGE_SECONDS;
        return new CorsFilter(AllowedOrigins.compile(spec.allowOrigins()), spec.allowCredentials(),
                joined("allowMethods", spec.allowMethods()), joined("allowHeaders", spec.allowHeaders()),
                expose, AsciiString.cached(Integer.toString(maxAge)));
    }

    private static AsciiString joined(String field, List<String> values) {
        if (values.isEmpty()) {
            return null;
        }
        for (String v : values) {
            HeaderFieldValidator.value(field, v);
            if (v.indexOf(',') >= 0 || v.isBlank()) {
                throw new IllegalArgumentException("CORS " + field + " entry '" + v + "' is not a single token");
            }
        }
        if (values.contains("*")) {
            if (values.size() > 1) {
                throw new IllegalArgumentException("CORS " + field + " cannot contain '*' alongside other values");
            }
            return WILDCARD;
        }
        return AsciiString.cached(String.join(", ", values));
    }

    @Override
    public FilterResult onRequest(HttpExchange exchange) {
        HttpRequest request = exchange.request();
        if (!HttpMethod.OPTIONS.equals(request.method())) {
            return FilterResult.CONTINUE;
        }
        HttpHeaders headers = request.headers();
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        String requestedMethod = headers.get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
        if (origin == null || requestedMethod == null) {
            return FilterResult.CONTINUE; // a plain OPTIONS request, for the backend
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.EMPTY_BUFFER);
        HttpHeaders out = response.headers();
        if (origins.allows(origin)) {
            out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            out.add(HttpHeaderNames.VARY, ORIGIN_TOKEN);
            if (allowMethods != null) {
                out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, WILDCARD.equals(allowMethods) ? requestedMethod : allowMethods);
            }
            CharSequence allowedHeaders = allowHeadersFor(headers.get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS));
            if (allowedHeaders != null) {
                out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, allowedHeaders);
            }
            if (exposeHeaders != null) {
                out.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, exposeHeaders);
            }
            out.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, maxAge);
            if (allowCredentials) {
                out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
            }
        }
        out.set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
        return new FilterResult.Respond(response);
    }

    private CharSequence allowHeadersFor(String requested) {
        if (allowHeaders == null) {
            return null;
        }
        if (!WILDCARD.equals(allowHeaders)) {
            return allowHeaders;
        }
        return requested == null || requested.isBlank() ? null : requested;
    }

    @Override
    public void onResponse(HttpExchange exchange, HttpResponse response) {
        String origin = exchange.request().headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null || !origins.allows(origin)) {
            return;
        }
        HttpHeaders out = response.headers();
        out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        out.add(HttpHeaderNames.VARY, ORIGIN_TOKEN);
        if (exposeHeaders != null) {
            out.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, exposeHeaders);
        }
        if (allowCredentials) {
            out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
        }
    }

    @Override
    public String type() {
        return "CORS";
    }

    @Override
    public String describe() {
        String s = toString();
        return "CORS " + s.substring("CORS[".length(), s.length() - 1);
    }

    @Override
    public boolean sideEffectFree() {
        return true;
    }

    @Override
    public String toString() {
        return "CORS[origins=" + origins + (allowCredentials ? " credentials" : "")
                + (allowMethods != null ? " methods=" + allowMethods : "")
                + (allowHeaders != null ? " headers=" + allowHeaders : "")
                + (exposeHeaders != null ? " expose=" + exposeHeaders : "") + " maxAge=" + maxAge + "]";
    }
}
