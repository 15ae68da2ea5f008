package dev.gatehouse.routing.route;

import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.HeaderMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.QueryParamMatchSpec;
import dev.gatehouse.ir.HttpMatchSpec.ValueMatchType;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.balance.RoundRobinCluster;
import dev.gatehouse.routing.filter.HttpExchange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.gatehouse.routing.Fixtures.backend;
import static dev.gatehouse.routing.Fixtures.cluster;
import static dev.gatehouse.routing.Fixtures.exact;
import static dev.gatehouse.routing.Fixtures.exchange;
import static dev.gatehouse.routing.Fixtures.header;
import static dev.gatehouse.routing.Fixtures.listener;
import static dev.gatehouse.routing.Fixtures.match;
import static dev.gatehouse.routing.Fixtures.prefix;
import static dev.gatehouse.routing.Fixtures.query;
import static dev.gatehouse.routing.Fixtures.regex;
import static dev.gatehouse.routing.Fixtures.rule;
import static dev.gatehouse.routing.Fixtures.vhost;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Explain's reasons and the data plane's decisions come from the same code; these tests hold them to it
 * on the conformance tables and on random requests: a reason is null exactly when the match holds, and a
 * router's trace names exactly the route it routes to.
 */
class MatchExplainAgreementTest {
    private static final String[] HOSTS = {"a.example.com", "b.example.com", "x.b.example.com", "example.com",
            "other.org", "foo.example.com", "bar.wildcard.org", ""};
    private static final String[] PATHS = {"/", "", "/v2", "/v2/", "/v2example", "/v2/example", "/foo/v2/example",
            "/match", "/match/exact", "/match/exact/one", "/match/prefix/one/any", "/match/any", "/path1", "/path5",
            "/api/v2/users", "/api/vx/users", "/wild", "/any", "/a%2Fb", "a"};
    private static final String[] METHODS = {"GET", "POST", "HEAD", "PUT", "PATCH"};
    private static final String[] QUERIES = {null, "", "animal=whale", "animal=dolphin&color=blue", "ANIMAL=Whale",
            "animal=wh%61le", "animal", "page=42", "page=x", "page=4242&page=1", "color=yellow&animal=dolphin"};
    private static final String[][] HEADERS = {{}, {"version", "one"}, {"version", "two"}, {"Version", "two", "color", "orange"},
            {"x-id", "123"}, {"x-id", "12a"}, {"color", "Orange"}};

    private static final List<HttpMatchSpec> SPECS = List.of(
            match(prefix("/")),
            match(prefix("/v2")),
            match(exact("/match/exact")),
            match(prefix("/match/prefix/")),
            match(regex("/api/v[0-9]+/.*")),
            match(prefix("/"), null, List.of(header("version", "two")), List.of()),
            match(prefix("/"), "GET", List.of(header("version", "two"), header("color", "orange")), List.of()),
            match(prefix("/path1"), "GET", List.of(), List.of()),
            match(prefix("/"), "POST", List.of(), List.of(query("animal", "whale"))),
            match(prefix("/"), null, List.of(), List.of(query("animal", "dolphin"), query("color", "blue"))),
            match(prefix("/"), null, List.of(new HeaderMatchSpec(ValueMatchType.REGULAR_EXPRESSION, "x-id", "[0-9]+")),
                    List.of(new QueryParamMatchSpec(ValueMatchType.REGULAR_EXPRESSION, "page", "[0-9]{1,3}"))),
            match(prefix("/"), null, List.of(), List.of(query("flag", ""))));

    private static HttpExchange random(Random random) {
        String[] headers = HEADERS[random.nextInt(HEADERS.length)];
        String q = QUERIES[random.nextInt(QUERIES.length)];
        String path = PATHS[random.nextInt(PATHS.length)];
        return exchange(METHODS[random.nextInt(METHODS.length)], q == null ? path : path + "?" + q,
                HOSTS[random.nextInt(HOSTS.length)], headers);
    }

    @Test
    void reasonIsNullExactlyWhenTheMatcherMatches() {
        Random random = new Random(7);
        int matched = 0;
        for (int i = 0; i < 5000; i++) {
            HttpExchange exchange = random(random);
            for (HttpMatchSpec spec : SPECS) {
                RequestMatcher m = RequestMatcher.compile(spec);
                boolean matches = m.matches(exchange);
                String reason = m.explain(exchange);
                assertThat(reason == null).as("%s on %s %s?%s: %s", m.describe(), exchange.request().method(),
                        exchange.path(), exchange.query(), reason).isEqualTo(matches);
                matched += matches ? 1 : 0;
            }
        }
        assertThat(matched).isPositive();
    }

    @Test
    void reasonsNameTheFirstFailingCondition() {
        HttpMatchSpec spec = match(prefix("/v1"), "GET", List.of(header("x-env", "staging"),
                new HeaderMatchSpec(ValueMatchType.REGULAR_EXPRESSION, "x-id", "^\\d+$")),
                List.of(new QueryParamMatchSpec(ValueMatchType.REGULAR_EXPRESSION, "page", "^\\d+$"), query("sort", "asc")));
        RequestMatcher m = RequestMatcher.compile(spec);
        assertThat(m.explain(exchange("GET", "/v2/x", "h"))).isEqualTo("path /v2/x does not match PathPrefix /v1");
        assertThat(m.explain(exchange("POST", "/v1", "h"))).isEqualTo("method POST != GET");
        assertThat(m.explain(exchange("GET", "/v1", "h"))).isEqualTo("header x-env: missing");
        assertThat(m.explain(exchange("GET", "/v1", "h", "X-Env", "prod"))).isEqualTo("header x-env: 'prod' != 'staging'");
        assertThat(m.explain(exchange("GET", "/v1", "h", "x-env", "staging", "x-id", "x1")))
                .isEqualTo("header x-id: regex ^\\d+$ does not match 'x1'");
        assertThat(m.explain(exchange("GET", "/v1?page=x", "h", "x-env", "staging", "x-id", "1")))
                .isEqualTo("query page: regex ^\\d+$ does not match 'x'");
        assertThat(m.explain(exchange("GET", "/v1?page=1", "h", "x-env", "staging", "x-id", "1")))
                .isEqualTo("query sort: missing");
        assertThat(m.explain(exchange("GET", "/v1?page=1&sort=d%65sc", "h", "x-env", "staging", "x-id", "1")))
                .isEqualTo("query sort: 'desc' != 'asc'");
        assertThat(m.explain(exchange("GET", "/v1?page=1&sort=asc", "h", "x-env", "staging", "x-id", "1"))).isNull();
        assertThat(RequestMatcher.compile(match(exact("/a"))).explain(exchange("GET", "", "h")))
                .isEqualTo("path (empty) does not match Exact /a");
    }

    @Test
    void matchedHostnameIsWhatLookupPicks() {
        String[] names = {"a.example.com", "*.example.com", "*.b.example.com", "foo.example.com", "*.wildcard.org"};
        for (boolean withCatchAll : new boolean[] {true, false}) {
            HostIndex.Builder<String> builder = HostIndex.builder();
            for (String n : names) {
                builder.add(n, n);
            }
            if (withCatchAll) {
                builder.add(null, "*");
            }
            HostIndex<String> index = builder.build();
            for (String host : HOSTS) {
                assertThat(index.matchedHostname(host)).as(host).isEqualTo(index.lookup(host));
            }
            assertThat(index.matchedHostname(null)).isEqualTo(index.lookup(null));
        }
        assertThat(HostIndex.covers("*.example.com", "a.b.example.com")).isTrue();
        assertThat(HostIndex.covers("*.example.com", "example.com")).isFalse();
        assertThat(HostIndex.covers(null, "anything")).isTrue();
        assertThat(HostIndex.covers("*", "")).isTrue();
        assertThat(HostIndex.covers("A.example.com", "a.example.com")).isTrue();
        assertThat(HostIndex.covers("a.example.com", "b.example.com")).isFalse();
    }

    @Test
    void traceNamesTheRouteTheRouterRoutesTo() {
        Map<String, Cluster> clusters = new HashMap<>();
        for (String name : new String[] {"v1", "v2", "v3"}) {
            clusters.put(name, RoundRobinCluster.compile(cluster(name, 9000)));
        }
        List<HostIndexedPortRouter> routers = new ArrayList<>();
        routers.add(router(clusters,
                listener("exact", "foo.example.com", vhost("foo.example.com", rule("exact", 0, match(prefix("/")), backend("v1", 1)))),
                listener("wild", "*.example.com", vhost("*.example.com", rule("wild", 0, match(prefix("/wild")), backend("v2", 1)))),
                listener("any", null, vhost("*", rule("any", 0, match(prefix("/any")), backend("v3", 1))))));
        routers.add(router(clusters, listener("l", null,
                vhost("a.example.com", rule("a", 0, match(prefix("/v2")), backend("v1", 1))),
                vhost("*.example.com", rule("b", 1, match(prefix("/")), backend("v2", 1))),
                vhost("*", SPECS.stream().map(s -> rule("c", SPECS.indexOf(s), s, backend("v3", 1)))
                        .toArray(dev.gatehouse.ir.HttpRuleSpec[]::new)))));
        Random random = new Random(11);
        int routed = 0;
        for (int i = 0; i < 5000; i++) {
            HttpExchange exchange = random(random);
            for (HostIndexedPortRouter router : routers) {
                Route expected = router.route(exchange);
                MatchTrace trace = router.trace(exchange);
                assertThat(trace.route()).isSameAs(expected);
                assertThat(trace.inconsistency()).isNull();
                long firstMatches = trace.rules().stream().filter(r -> r.reached() && r.failure() == null).count();
                assertThat(firstMatches).isEqualTo(expected == null ? 0 : 1);
                trace.rules().stream().filter(r -> r.reached() && r.failure() == null)
                        .forEach(r -> assertThat(r.route()).isSameAs(expected));
                assertThat(trace.listeners().stream().filter(MatchTrace.ListenerCheck::chosen).count())
                        .isEqualTo(trace.listener() == null ? 0 : 1);
                routed += expected == null ? 0 : 1;
            }
        }
        assertThat(routed).isPositive();
    }

    @Test
    void debugTraceIsOneLine() {
        Map<String, Cluster> clusters = Map.of("ns/shop:80", RoundRobinCluster.compile(cluster("ns/shop:80", 9000)));
        HostIndexedPortRouter router = router(clusters, new ListenerSpec("default/edge", "web", "*.example.com", null,
                List.of(vhost("*.example.com", rule("shop", 1, match(prefix("/")), backend("ns/shop:80", 1))))));
        HttpExchange exchange = exchange("GET", "/x", "a.example.com");
        Route route = router.route(exchange);
        assertThat(router.debugTrace(exchange, route, route.pickBackend()))
                .isEqualTo("listener=default/edge/web vhost=*.example.com rule=ns/shop#1 match=0 backend=ns/shop:80");
        HttpExchange miss = exchange("GET", "/x", "other.org");
        assertThat(router.debugTrace(miss, router.route(miss), null))
                .isEqualTo("listener=- vhost=- rule=- outcome=404");
        HttpPortRouter plain = router::route;
        assertThat(plain.debugTrace(exchange, route, null))
                .isEqualTo("listener=default/edge/web vhost=- rule=ns/shop#1 match=0 backend=none");
    }

    private static HostIndexedPortRouter router(Map<String, Cluster> clusters, ListenerSpec... listeners) {
        return HostIndexedPortRouter.compile(new PortSpec(18080, Protocol.HTTP, List.of(listeners)), clusters);
    }
}
