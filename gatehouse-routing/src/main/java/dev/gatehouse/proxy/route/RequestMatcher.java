package dev.gatehouse.proxy.route;

import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.proxy.filter.HttpExchange;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A compiled HTTPRouteMatch: path AND method AND every header AND every query parameter. Checks run
 * cheapest first (path, method, headers, query) and stop at the first miss. Only the first condition per
 * header or query-parameter name counts, as the spec requires.
 */
final class RequestMatcher {
    private static final HeaderMatcher[] NO_HEADERS = new HeaderMatcher[0];
    private static final QueryParamMatcher[] NO_PARAMS = new QueryParamMatcher[0];

    private final PathMatcher path;
    private final String method;
    private final HeaderMatcher[] headers;
    private final QueryParamMatcher[] queryParams;

    private RequestMatcher(PathMatcher path, String method, HeaderMatcher[] headers, QueryParamMatcher[] queryParams) {
        this.path = path;
        this.method = method;
        this.headers = headers;
        this.queryParams = queryParams;
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

    boolean matches(HttpExchange exchange) {
        String p = exchange.path();
        if (!path.matches(p == null ? "" : p)) {
            return false;
        }
        if (method != null && !method.equals(exchange.request().method().name())) {
            return false;
        }
        if (headers.length > 0) {
            HttpHeaders requestHeaders = exchange.request().headers();
            for (HeaderMatcher h : headers) {
                if (!h.matches(requestHeaders)) {
                    return false;
                }
            }
        }
        if (queryParams.length > 0) {
            String query = exchange.query();
            for (QueryParamMatcher q : queryParams) {
                if (!q.matches(query)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** @see PathMatcher#firstSegment() */
    String firstPathSegment() {
        return path.firstSegment();
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
