package dev.gatehouse.routing.explain;

import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.FilterSpec;
import dev.gatehouse.ir.FilterSpec.HeaderSpec;
import dev.gatehouse.ir.FilterSpec.PathModifierSpec;
import dev.gatehouse.ir.FilterSpec.PathModifierType;
import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.HeaderMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.PathMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.QueryParamMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.ValueMatchType;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.ir.VirtualHostSpec;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.runtime.SnapshotCompiler;

import java.util.ArrayList;
import java.util.List;

import static dev.gatehouse.routing.Fixtures.exact;
import static dev.gatehouse.routing.Fixtures.header;
import static dev.gatehouse.routing.Fixtures.prefix;

/**
 * The IR the explain tests run against, built in Java (this module has no YAML): a shop behind an
 * {@code *.example.com} listener with a catch-all listener beside it on port 80, two hostname listeners on
 * port 8080, and a TCP port.
 */
final class ShopSnapshot {
    private ShopSnapshot() {
    }

    static RuntimeSnapshot runtime() {
        return new SnapshotCompiler().compile(snapshot(), null);
    }

    static Snapshot snapshot() {
        List<ClusterSpec> clusters = List.of(
                cluster("default/empty:80"),
                cluster("default/shop-v2:80", "10.0.1.1:8080"),
                cluster("default/shop:80", "10.0.0.1:8080", "10.0.0.2:8080"));

        FilterSpec rewrite = new FilterSpec.UrlRewriteSpec(null,
                new PathModifierSpec(PathModifierType.REPLACE_PREFIX_MATCH, "/", "/v1"));
        FilterSpec addHeader = new FilterSpec.RequestHeaderModifierSpec(List.of(new HeaderSpec("x-gateway", "gatehouse")),
                List.of(), List.of("x-debug"));
        FilterSpec redirect = new FilterSpec.RequestRedirectSpec("https", "example.com",
                new PathModifierSpec(PathModifierType.REPLACE_FULL_PATH, "/new", null), 443, 301);
        FilterSpec mirror = new FilterSpec.RequestMirrorSpec("default/shop-v2:80", 10);
        BackendRefSpec gone = new BackendRefSpec(null, 1, List.of(),
                "BackendNotFound: Service default/gone not found");

        VirtualHostSpec shop = new VirtualHostSpec("shop.example.com", List.of(
                rule("shop", 0, "legacy", exact("/old"), List.of(redirect)),
                rule("shop", 1, null, prefix("/broken"), List.of(), gone),
                rule("shop", 2, null, match(prefix("/search"), null, List.of(),
                        List.of(regexQuery("page", "^\\d+$"))), List.of(), backend("default/shop:80", 1)),
                rule("shop", 3, null, prefix("/empty"), List.of(), backend("default/empty:80", 1)),
                rule("shop", 4, null, match(prefix("/v1"), null, List.of(header("x-env", "staging")), List.of()),
                        List.of(rewrite, addHeader, mirror),
                        backend("default/shop:80", 3), backend("default/shop-v2:80", 1), backend("default/empty:80", 0)),
                rule("shop", 5, null, prefix("/"), List.of(), backend("default/shop:80", 1))));
        VirtualHostSpec api = new VirtualHostSpec("api.example.com", List.of(
                rule("api", 0, null, match(prefix("/api"), "POST", List.of(), List.of()), List.of(), backend("default/shop:80", 1)),
                rule("api", 1, null, match(prefix("/api"), null, List.of(header("x-env", "staging")), List.of()),
                        List.of(), backend("default/shop:80", 1)),
                rule("api", 2, null, match(prefix("/api"), null, List.of(), List.of(regexQuery("page", "^\\d+$"))),
                        List.of(), backend("default/shop:80", 1)),
                rule("api", 3, null, prefix("/v1"), List.of(), backend("default/shop:80", 1))));
        VirtualHostSpec wild = new VirtualHostSpec("*.example.com", List.of(
                rule("wild", 0, null, prefix("/wild"), List.of(), backend("default/shop-v2:80", 1))));
        VirtualHostSpec any = new VirtualHostSpec("*", List.of(
                rule("any", 0, null, prefix("/any"), List.of(), backend("default/shop:80", 1))));

        PortSpec http = new PortSpec(80, Protocol.HTTP, List.of(
                new ListenerSpec("default/edge", "web", "*.example.com", null, List.of(api, shop, wild)),
                new ListenerSpec("default/edge", "any", null, null, List.of(any))));
        PortSpec alt = new PortSpec(8080, Protocol.HTTP, List.of(
                new ListenerSpec("default/alt", "foo", "foo.example.com", null, List.of(new VirtualHostSpec("foo.example.com",
                        List.of(rule("foo", 0, null, prefix("/"), List.of(), backend("default/shop:80", 1)))))),
                new ListenerSpec("default/alt", "org", "*.example.org", null, List.of())));
        PortSpec https = new PortSpec(443, Protocol.HTTPS, List.of(
                new ListenerSpec("default/edge", "shop-tls", "shop.example.com", null, List.of(shop)),
                new ListenerSpec("default/edge", "any-tls", null, null, List.of(any))));
        PortSpec tcp = new PortSpec(9000, Protocol.TCP, List.of());
        return new Snapshot(42, List.of(http, https, alt, tcp), clusters);
    }

    static HttpMatchSpec match(PathMatchSpec path, String method, List<HeaderMatchSpec> headers,
                               List<QueryParamMatchSpec> query) {
        return new HttpMatchSpec(path, headers, query, method);
    }

    static QueryParamMatchSpec regexQuery(String name, String regex) {
        return new QueryParamMatchSpec(ValueMatchType.REGULAR_EXPRESSION, name, regex);
    }

    static HttpRuleSpec rule(String route, int index, String name, PathMatchSpec path, List<FilterSpec> filters,
                             BackendRefSpec... backends) {
        return rule(route, index, name, new HttpMatchSpec(path, List.of(), List.of(), null), filters, backends);
    }

    static HttpRuleSpec rule(String route, int index, String name, HttpMatchSpec match, List<FilterSpec> filters,
                             BackendRefSpec... backends) {
        return new HttpRuleSpec(new RouteRef("HTTPRoute", "default", route, index, name, 0), match, filters,
                List.of(backends), TimeoutSpec.NONE);
    }

    static BackendRefSpec backend(String cluster, int weight) {
        return new BackendRefSpec(cluster, weight, List.of(), null);
    }

    static ClusterSpec cluster(String name, String... endpoints) {
        List<ClusterSpec.EndpointSpec> list = new ArrayList<>();
        for (String e : endpoints) {
            int colon = e.lastIndexOf(':');
            list.add(new ClusterSpec.EndpointSpec(e.substring(0, colon), Integer.parseInt(e.substring(colon + 1))));
        }
        return new ClusterSpec(name, list, ClusterSpec.LoadBalancerType.ROUND_ROBIN);
    }
}
