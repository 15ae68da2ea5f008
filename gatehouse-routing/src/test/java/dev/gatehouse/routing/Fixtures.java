package dev.gatehouse.routing;

import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.FilterSpec;
import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.HeaderMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.PathMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.PathMatchType;
import dev.gatehouse.ir.HttpMatchSpec.QueryParamMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.ValueMatchType;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.ir.VirtualHostSpec;
import dev.gatehouse.routing.filter.HttpExchange;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Test builders for IR values and exchanges over real Netty request heads. */
public final class Fixtures {
    private Fixtures() {
    }

    /** @param headers name, value, name, value... */
    public static HttpExchange exchange(String method, String target, String host, String... headers) {
        return exchange("http", 18080, method, target, host, headers);
    }

    public static HttpExchange exchange(String scheme, int port, String method, String target, String host,
                                        String... headers) {
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), target);
        if (host != null) {
            request.headers().set("Host", host);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? null : target.substring(q + 1);
        return new HttpExchange(request, scheme, port, new InetSocketAddress("127.0.0.1", 40000),
                host, path, query);
    }

    public static PathMatchSpec prefix(String value) {
        return new PathMatchSpec(PathMatchType.PATH_PREFIX, value);
    }

    public static PathMatchSpec exact(String value) {
        return new PathMatchSpec(PathMatchType.EXACT, value);
    }

    public static PathMatchSpec regex(String value) {
        return new PathMatchSpec(PathMatchType.REGULAR_EXPRESSION, value);
    }

    public static HttpMatchSpec match(PathMatchSpec path) {
        return new HttpMatchSpec(path, List.of(), List.of(), null);
    }

    public static HttpMatchSpec match(PathMatchSpec path, String method, List<HeaderMatchSpec> headers,
                                      List<QueryParamMatchSpec> query) {
        return new HttpMatchSpec(path, headers, query, method);
    }

    public static HeaderMatchSpec header(String name, String value) {
        return new HeaderMatchSpec(ValueMatchType.EXACT, name, value);
    }

    public static QueryParamMatchSpec query(String name, String value) {
        return new QueryParamMatchSpec(ValueMatchType.EXACT, name, value);
    }

    public static BackendRefSpec backend(String cluster, int weight) {
        return new BackendRefSpec(cluster, weight, List.of(), null);
    }

    public static HttpRuleSpec rule(String route, int index, HttpMatchSpec match, List<FilterSpec> filters,
                                    BackendRefSpec... backends) {
        return new HttpRuleSpec(new RouteRef("HTTPRoute", "ns", route, index, null, 0), match, filters,
                List.of(backends), TimeoutSpec.NONE);
    }

    public static HttpRuleSpec rule(String route, int index, HttpMatchSpec match, BackendRefSpec... backends) {
        return rule(route, index, match, List.of(), backends);
    }

    public static VirtualHostSpec vhost(String hostname, HttpRuleSpec... rules) {
        return new VirtualHostSpec(hostname, List.of(rules));
    }

    public static ListenerSpec listener(String name, String hostname, VirtualHostSpec... vhosts) {
        return new ListenerSpec("ns/gw", name, hostname, null, List.of(vhosts));
    }

    public static ClusterSpec cluster(String name, int... ports) {
        List<ClusterSpec.EndpointSpec> endpoints = new ArrayList<>();
        for (int port : ports) {
            endpoints.add(new ClusterSpec.EndpointSpec("127.0.0.1", port));
        }
        return new ClusterSpec(name, endpoints, ClusterSpec.LoadBalancerType.ROUND_ROBIN);
    }
}
