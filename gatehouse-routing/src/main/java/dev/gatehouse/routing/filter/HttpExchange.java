package dev.gatehouse.routing.filter;

import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.route.Route;
import io.netty.handler.codec.http.HttpRequest;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed per-request state, created by the frontend handler when a request head arrives and confined to
 * that request's event loop. Filters read and change it; nothing here is looked up by name.
 */
public final class HttpExchange {
    private final HttpRequest request;
    private final String scheme;
    private final int listenerPort;
    private final InetSocketAddress remoteAddress;
    private String host;
    private String path;
    private String query;
    private Route route;
    private List<Cluster> mirrors;
    private FilterOutcomes outcomes = FilterOutcomes.NONE;
    private RateLimitHeaders rateLimitHeaders;
    private String consumer;
    private List<String> consumerGroups = List.of();
    private Object authState;
    private UpstreamCalls upstreamCalls = UpstreamCalls.NONE;

    /**
     * @param request the decoded request head; its headers and URI are changed in place and forwarded
     * @param scheme "http" or "https", as the client spoke to us
     * @param listenerPort the local port the request arrived on
     * @param remoteAddress the client's address
     * @param host the request host without port, lower case (from Host or :authority)
     * @param path the path part of the request-target (no query), as received
     * @param query the query string without '?', or {@code null}
     */
    public HttpExchange(HttpRequest request, String scheme, int listenerPort, InetSocketAddress remoteAddress,
                        String host, String path, String query) {
        this.request = request;
        this.scheme = scheme;
        this.listenerPort = listenerPort;
        this.remoteAddress = remoteAddress;
        this.host = host;
        this.path = path;
        this.query = query;
    }

    public HttpRequest request() {
        return request;
    }

    public String scheme() {
        return scheme;
    }

    public int listenerPort() {
        return listenerPort;
    }

    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    public String host() {
        return host;
    }

    public String path() {
        return path;
    }

    public String query() {
        return query;
    }

    public Route route() {
        return route;
    }

    public void route(Route route) {
        this.route = route;
    }

    /** Rewrites the request-target sent upstream (URLRewrite). */
    public void setPathAndQuery(String newPath, String newQuery) {
        this.path = newPath;
        this.query = newQuery;
        request.setUri(newQuery == null ? newPath : newPath + '?' + newQuery);
    }

    /** Rewrites the Host sent upstream (URLRewrite hostname). */
    public void setHost(String newHost) {
        this.host = newHost;
        request.headers().set(io.netty.handler.codec.http.HttpHeaderNames.HOST, newHost);
    }

    /** Asks the proxy to send a copy of this request to {@code cluster} and drop its response (RequestMirror). */
    public void addMirror(Cluster cluster) {
        if (mirrors == null) {
            mirrors = new ArrayList<>(2);
        }
        mirrors.add(cluster);
    }

    /** @return clusters to mirror to; empty when none */
    public List<Cluster> mirrors() {
        return mirrors == null ? List.of() : mirrors;
    }

    /** Where filters' outcomes are recorded; set by the proxy when observability is on. */
    public void outcomes(FilterOutcomes sink) {
        this.outcomes = sink == null ? FilterOutcomes.NONE : sink;
    }

    /** An auth filter's decision, for {@code gatehouse_auth_outcomes_total} and the access log. */
    public void recordAuth(AuthOutcome outcome) {
        outcomes.auth(outcome);
    }

    /**
     * The request's consumer: the client a SecurityPolicy authenticated (API key client id, basic-auth user, or
     * the policy's anonymous consumer), or {@code null}. Set before the rate-limit and route filters run, so they
     * can key on it.
     */
    public String consumer() {
        return consumer;
    }

    /** The consumer's groups (a SecurityPolicy's {@code consumers.groups}); empty when none. */
    public List<String> consumerGroups() {
        return consumerGroups;
    }

    /** Sets the authenticated consumer (and its groups) and records it for the access log. */
    public void consumer(String id, List<String> groups) {
        this.consumer = id;
        this.consumerGroups = groups;
        outcomes.consumer(id);
    }

    /** A SecurityPolicy's state between its authentication and authorization filters, or {@code null}. */
    public Object authState() {
        return authState;
    }

    public void authState(Object state) {
        this.authState = state;
    }

    /** How a filter asks another cluster a question on this request's loop (ext-auth); set by the proxy. */
    public UpstreamCalls upstreamCalls() {
        return upstreamCalls;
    }

    public void upstreamCalls(UpstreamCalls calls) {
        this.upstreamCalls = calls == null ? UpstreamCalls.NONE : calls;
    }

    /** A rate-limit filter's decision, for {@code gatehouse_ratelimit_outcomes_total} and the access log. */
    public void recordRateLimit(RateLimitOutcome outcome) {
        outcomes.rateLimit(outcome);
    }

    /** The quota a rate-limit filter reports on the response, or {@code null}. */
    public RateLimitHeaders rateLimitHeaders() {
        return rateLimitHeaders;
    }

    public void rateLimitHeaders(RateLimitHeaders headers) {
        this.rateLimitHeaders = headers;
    }
}
