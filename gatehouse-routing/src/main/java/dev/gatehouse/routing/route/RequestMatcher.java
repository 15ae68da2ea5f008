package dev.gatehouse.routing.route;

import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.routing.filter.HttpExchange;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A compiled HTTPRouteMatch: path AND method AND every header AND every query parameter. Checks run
 * cheapest first (path, method, headers, query) and stop at the first miss. Only the first condition per
 * header or query-parameter name counts, as the spec requires.
 *
 * <p>Routing and explain share {@link #firstFailure}: explain only turns its answer into words.
 */
final class RequestMatcher {
    private static final HeaderMatcher[] NO_HEADERS = new HeaderMatcher[0];
    private static final QueryParamMatcher[] NO_PARAMS = new QueryParamMatcher[0];
    /** {@link #firstFailure} codes: header i fails as FIRST_HEADER + i, query parameter j right after the headers */
    private static final int MATCHED = -1;
    private static final int PATH = 0;
    private static final int METHOD = 1;
    private static final int FIRST_HEADER = 2;

    private final PathMatcher path;
    private final String method;
    private final HeaderMatcher[] headers;
    private final QueryParamMatcher[] queryParams;
    /** Once, so that the segment indexes of every host whose rules share this matcher share the key too. */
    private final String firstPathSegment;

    private RequestMatcher(PathMatcher path, String method, HeaderMatcher[] headers, QueryParamMatcher[] queryParams) {
        this.path = path;
        this.method = method;
        this.headers = headers;
        this.queryParams = queryParams;
        this.firstPathSegment = path.firstSegment();
    }

    static RequestMatcher compile(HttpMatchSpec spec) {
        List<HeaderMatcher> headers = new ArrayList<>();
        Set<String> seenHeaders = new HashSet<>();
        for (HttpMatchSpec.HeaderMatchSpec h : spec.headers()) {
            HeaderMatcher m = HeaderMatcher.compile(h);
            if (seenHeaders.add(m.name().toString())) {
                headers.add(m);
            }
        }
        List<QueryParamMatcher> params = new ArrayList<>();
        Set<String> seenParams = new HashSet<>();
        for (HttpMatchSpec.QueryParamMatchSpec q : spec.queryParams()) {
            QueryParamMatcher m = QueryParamMatcher.compile(q);
            if (seenParams.add(m.name())) {
                params.add(m);
            }
        }
        return new RequestMatcher(PathMatcher.compile(spec.path()), spec.method(),
                headers.isEmpty() ? NO_HEADERS : headers.toArray(NO_HEADERS),
                params.isEmpty() ? NO_PARAMS : params.toArray(NO_PARAMS));
    }

    /** The data plane's test: {@link #firstFailure} found nothing that fails. */
    boolean matches(HttpExchange exchange) {
        return firstFailure(exchange) == MATCHED;
    }

    /**
     * Why the request does not match, or {@code null} when it does. Explain only (allocates the message);
     * it decodes the same {@link #firstFailure} that {@link #matches} uses, so the two cannot disagree.
     */
    String explain(HttpExchange exchange) {
        int failure = firstFailure(exchange);
        if (failure == MATCHED) {
            return null;
        }
        if (failure == PATH) {
            String p = exchange.path();
            return "path " + (p == null || p.isEmpty() ? "(empty)" : p) + " does not match " + path.describe();
        }
        if (failure == METHOD) {
            return "method " + exchange.request().method().name() + " != " + method;
        }
        int header = failure - FIRST_HEADER;
        if (header < headers.length) {
            return headers[header].mismatch(exchange.request().headers());
        }
        return queryParams[header - headers.length].mismatch(exchange.query());
    }

    /**
     * The one implementation of this match, for both routing and explain: the index of the first condition
     * that fails, cheapest first, or {@link #MATCHED}. An int rather than a message keeps routing
     * allocation-free.
     */
    private int firstFailure(HttpExchange exchange) {
        String p = exchange.path();
        if (!path.matches(p == null ? "" : p)) {
            return PATH;
        }
        if (method != null && !method.equals(exchange.request().method().name())) {
            return METHOD;
        }
        if (headers.length > 0) {
            HttpHeaders requestHeaders = exchange.request().headers();
            for (int i = 0; i < headers.length; i++) {
                if (!headers[i].matches(requestHeaders)) {
                    return FIRST_HEADER + i;
                }
            }
        }
        if (queryParams.length > 0) {
            String query = exchange.query();
            for (int i = 0; i < queryParams.length; i++) {
                if (!queryParams[i].matches(query)) {
                    return FIRST_HEADER + headers.length + i;
                }
            }
        }
        return MATCHED;
    }

    /** @see PathMatcher#firstSegment() */
    String firstPathSegment() {
        return firstPathSegment;
    }

    String describe() {
        StringBuilder sb = new StringBuilder(path.describe());
        if (method != null) {
            sb.append(" method=").append(method);
        }
        for (HeaderMatcher h : headers) {
            sb.append(" header:").append(h.describe());
        }
        for (QueryParamMatcher q : queryParams) {
            sb.append(" query:").append(q.describe());
        }
        return sb.toString();
    }
}
