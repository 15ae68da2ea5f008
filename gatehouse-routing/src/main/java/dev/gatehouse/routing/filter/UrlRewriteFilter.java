package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.FilterSpec.UrlRewriteSpec;

/**
 * Gateway API {@code URLRewrite}: changes the Host and/or path sent upstream (query kept). Path rules are
 * those of {@link PathRewrite}, the same as RequestRedirect's.
 */
public final class UrlRewriteFilter implements HttpFilter {
    private final String hostname;
    private final PathRewrite path;

    private UrlRewriteFilter(String hostname, PathRewrite path) {
        this.hostname = hostname;
        this.path = path;
    }

    public static UrlRewriteFilter compile(UrlRewriteSpec spec) {
        String hostname = spec.hostname();
        if (hostname != null) {
            HeaderFieldValidator.value("Host", hostname);
            if (hostname.isEmpty() || hostname.indexOf('/') >= 0 || hostname.indexOf(' ') >= 0) {
                throw new IllegalArgumentException("URLRewrite hostname '" + hostname + "' is not a host name");
            }
        }
        return new UrlRewriteFilter(hostname, spec.path() == null ? null : PathRewrite.compile(spec.path()));
    }

    @Override
    public FilterResult onRequest(HttpExchange exchange) {
        if (hostname != null) {
            exchange.setHost(hostname);
        }
        if (path != null) {
            exchange.setPathAndQuery(path.apply(exchange.path()), exchange.query());
        }
        return FilterResult.CONTINUE;
    }

    @Override
    public String type() {
        return "URLRewrite";
    }

    @Override
    public String describe() {
        return "URLRewrite" + (hostname != null ? " hostname " + hostname : "")
                + (path != null ? " path " + path.describe() : "");
    }

    @Override
    public boolean sideEffectFree() {
        return true;
    }

    @Override
    public String toString() {
        return "URLRewrite[" + (hostname != null ? "hostname=" + hostname : "")
                + (hostname != null && path != null ? " " : "") + (path != null ? "path=" + path : "") + "]";
    }
}
