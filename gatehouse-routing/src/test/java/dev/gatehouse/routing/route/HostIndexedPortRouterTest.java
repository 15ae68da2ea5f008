package dev.gatehouse.routing.route;

import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.FilterSpec;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.RateLimitSpec;
import dev.gatehouse.ir.SecurityPolicySpec;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.balance.RoundRobinCluster;
import dev.gatehouse.routing.filter.RequestHeaderModifierFilter;
import dev.gatehouse.routing.ratelimit.RateLimitFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostIndexedPortRouterTest {
    private static final Map<String, Cluster> CLUSTERS = clusters("v1", "v2", "v3");

    private static Map<String, Cluster> clusters(String... names) {
        Map<String, Cluster> map = new HashMap<>();
        int port = 9000;
        for (String name : names) {
            map.put(name, RoundRobinCluster.compile(cluster(name, port++)));
        }
        return map;
    }

    private static HostIndexedPortRouter router(dev.gatehouse.ir.ListenerSpec... listeners) {
        return HostIndexedPortRouter.compile(new PortSpec(18080, Protocol.HTTP, List.of(listeners)), CLUSTERS);
    }

    /** Route name of the match, or "404". */
    private static String routed(HostIndexedPortRouter router, String method, String host, String target, String... headers) {
        Route r = router.route(exchange(method, target, host, headers));
        return r == null ? "404" : r.ref().name() + "#" + r.ref().ruleIndex();
    }

    /** Cluster picked for the match, or "404". */
    private static String backendOf(HostIndexedPortRouter router, String method, String target, String... headers) {
        Route r = router.route(exchange(method, target, "127.0.0.1", headers));
        return r == null ? "404" : r.pickBackend().cluster().name();
    }

    /**
     * Thousands of tenants repeat a few matches: the hosts' rules share one matcher per distinct match, and their
     * segment indexes one key, so routing over many hosts keeps comparing against what is in cache.
     */
    @Test
    void rulesWithEqualMatchesShareOneMatcherAcrossHosts() {
        HostIndexedPortRouter router = router(listener("l", null,
                vhost("a.example.com", rule("a", 0, match(prefix("/api")), backend("v1", 1)),
                        rule("a", 1, match(prefix("/static")), backend("v1", 1))),
                vhost("b.example.com", rule("b", 0, match(prefix("/api")), backend("v2", 1)))));
        CompiledRoute a = (CompiledRoute) router.route(exchange("GET", "/api/x", "a.example.com"));
        CompiledRoute b = (CompiledRoute) router.route(exchange("GET", "/api/x", "b.example.com"));
        CompiledRoute other = (CompiledRoute) router.route(exchange("GET", "/static/x", "a.example.com"));
        assertThat(a.ref().name()).isEqualTo("a");
        assertThat(b.ref().name()).isEqualTo("b");
        assertThat(a.matcher()).isSameAs(b.matcher()).isNotSameAs(other.matcher());
        assertThat(a.firstPathSegment()).isEqualTo("api").isSameAs(b.firstPathSegment());
    }

    // --- host and listener selection ---------------------------------------------------------

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(nullValues = "null", value = {
            "foo.example.com,   exact#0",
            "bar.example.com,   wild#0",
            "a.bar.example.com, wild#0",
            "example.com,       any#0",
            "other.org,         any#0",
            "null,              any#0",
    })
    void mostSpecificListenerWins(String host, String expected) {
        HostIndexedPortRouter router = router(
                listener("exact", "foo.example.com", vhost("foo.example.com", rule("exact", 0, match(prefix("/")), backend("v1", 1)))),
                listener("wild", "*.example.com", vhost("*.example.com", rule("wild", 0, match(prefix("/")), backend("v2", 1)))),
                listener("any", null, vhost("*", rule("any", 0, match(prefix("/")), backend("v3", 1)))));
        assertThat(routed(router, "GET", host, "/")).isEqualTo(expected);
    }

    @Test
    void listenersAreIsolatedNoFallThroughToLessSpecificListener() {
        // GatewayHTTPListenerIsolation: the wildcard listener only serves /wild; /any on bar.example.com must 404
        HostIndexedPortRouter router = router(
                listener("wild", "*.example.com", vhost("*.example.com", rule("wild", 0, match(prefix("/wild")), backend("v2", 1)))),
                listener("any", null, vhost("*", rule("any", 0, match(prefix("/")), backend("v3", 1)))));
        assertThat(routed(router, "GET", "bar.example.com", "/wild")).isEqualTo("wild#0");
        assertThat(routed(router, "GET", "bar.example.com", "/any")).isEqualTo("404");
        assertThat(routed(router, "GET", "bar.example.org", "/any")).isEqualTo("any#0");
    }

    @Test
    void vhostOfListenerIsMostSpecificAndWithoutCatchAllUnknownHostIs404() {
        HostIndexedPortRouter router = router(listener("l", null,
                vhost("a.example.com", rule("exact", 0, match(prefix("/")), backend("v1", 1))),
                vhost("*.example.com", rule("wild", 0, match(prefix("/")), backend("v2", 1)))));
        assertThat(routed(router, "GET", "a.example.com", "/")).isEqualTo("exact#0");
        assertThat(routed(router, "GET", "b.example.com", "/")).isEqualTo("wild#0");
        assertThat(routed(router, "GET", "example.com", "/")).isEqualTo("404");
        assertThat(routed(router, "GET", "a.example.org", "/")).isEqualTo("404");
    }

    @Test
    void listenerWithoutRoutesAnswers404() {
        HostIndexedPortRouter router = router(listener("empty", "foo.example.com"),
                listener("any", null, vhost("*", rule("any", 0, match(prefix("/")), backend("v3", 1)))));
        assertThat(routed(router, "GET", "foo.example.com", "/")).isEqualTo("404");
    }

    @ParameterizedTest(name = "SNI {0} Host {1} -> {2}")
    @CsvSource({
            // HTTPRouteHTTPSListenerDetectMisdirectedRequests: 421 when SNI and Host select different listeners
            "example.org,                example.org,                 v1",
            "example.org,                second-example.org,          421",
            "example.org,                unknown-example.org,         404",
            "second-example.org,         second-example.org,          v2",
            "second-example.org,         example.org,                 421",
            "second-example.org,         unknown-example.org,         421",
            "third-example.wildcard.org, third-example.wildcard.org,  v3",
            "third-example.wildcard.org, fith-example.wildcard.org,   v3",
            "third-example.wildcard.org, fourth-example.wildcard.org, 421",
            "third-example.wildcard.org, second-example.org,          421",
            "third-example.wildcard.org, unknown-example.org,         421",
            "fourth-example.wildcard.org, fourth-example.wildcard.org, v1",
            "fourth-example.wildcard.org, fith-example.wildcard.org,  421",
            "unknown-example.org,        example.org,                 v1",
            "unknown-example.org,        unknown-example.org,         404",
    })
    void misdirectedRequests(String sni, String host, String expected) {
        HostIndexedPortRouter router = HostIndexedPortRouter.compile(new PortSpec(18443, Protocol.HTTPS, List.of(
                listener("https-with-hostname-matching-wildcard", "fourth-example.wildcard.org", vhost("fourth-example.wildcard.org",
                        rule("t4", 0, match(prefix("/detect-misdirected-requests")), backend("v1", 1)))),
                listener("https-with-hostname", "second-example.org", vhost("second-example.org",
                        rule("t2", 0, match(prefix("/detect-misdirected-requests")), backend("v2", 1)))),
                listener("https-with-wildcard-hostname", "*.wildcard.org", vhost("*.wildcard.org",
                        rule("t3", 0, match(prefix("/detect-misdirected-requests")), backend("v3", 1)))),
                listener("https", null, vhost("example.org",
                        rule("t1", 0, match(prefix("/detect-misdirected-requests")), backend("v1", 1)))))), CLUSTERS);
        String outcome;
        if (router.isMisdirected(sni, host)) {
            outcome = "421";
        } else {
            Route r = router.route(exchange("https", 18443, "GET", "/detect-misdirected-requests", host));
            outcome = r == null ? "404" : r.pickBackend().cluster().name();
        }
        assertThat(outcome).isEqualTo(expected);
        assertThat(router.isMisdirected(null, host)).isFalse();
    }

    // --- first match in precedence order (rules as the translator orders them) -----------------

    @ParameterizedTest(name = "HTTPRouteMatching {0} {1}={2} -> {3}")
    @CsvSource(nullValues = "null", value = {
            "/,                null,    null, v1",
            "/example,         null,    null, v1",
            "/,                version, one,  v1",
            "/v2,              null,    null, v2",
            "/v2/example,      null,    null, v2",
            "/,                version, two,  v2",
            "/v2/,             null,    null, v2",
            "/v2example,       null,    null, v1",
            "/foo/v2/example,  null,    null, v1",
    })
    void conformanceMatching(String path, String headerName, String headerValue, String expected) {
        // precedence: longest prefix first, then header-count
        HostIndexedPortRouter router = router(listener("l", null, vhost("*",
                rule("m", 1, match(prefix("/v2")), backend("v2", 1)),
                rule("m", 1, match(prefix("/"), null, List.of(header("version", "two")), List.of()), backend("v2", 1)),
                rule("m", 0, match(prefix("/"), null, List.of(header("version", "one")), List.of()), backend("v1", 1)),
                rule("m", 0, match(prefix("/")), backend("v1", 1)))));
        String[] headers = headerName == null ? new String[0] : new String[] {headerName, headerValue};
        assertThat(backendOf(router, "GET", path, headers)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "HTTPRoutePathMatchOrder {0} -> {1}")
    @CsvSource({
            "/match/exact/one,       v3",
            "/match/exact,           v2",
            "/match,                 v1",
            "/match/prefix/one/any,  v2",
            "/match/prefix/any,      v1",
            "/match/any,             v3",
            "/nomatch,               404",
    })
    void conformancePathMatchOrder(String path, String expected) {
        HostIndexedPortRouter router = router(listener("l", null, vhost("*",
                rule("o", 2, match(exact("/match/exact/one")), backend("v3", 1)),
                rule("o", 1, match(exact("/match/exact")), backend("v2", 1)),
                rule("o", 0, match(exact("/match")), backend("v1", 1)),
                rule("o", 5, match(prefix("/match/prefix/one")), backend("v2", 1)),
                rule("o", 4, match(prefix("/match/prefix/")), backend("v1", 1)),
                rule("o", 3, match(prefix("/match/")), backend("v3", 1)))));
        assertThat(backendOf(router, "GET", path)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "HTTPRouteQueryParamMatching {0} -> {1}")
    @CsvSource({
            "/?animal=whale,                 v1",
            "/?animal=dolphin,               v2",
            "/?animal=dolphin&color=blue,    v3",
            "/?ANIMAL=Whale,                 v3",
            "/?animal=dolphin&color=yellow,  v2",
            "/?color=blue,                   404",
            "/?animal=whaledolphin,          404",
            "/,                              404",
    })
    void conformanceQueryParams(String target, String expected) {
        HostIndexedPortRouter router = router(listener("l", null, vhost("*",
                rule("q", 2, match(prefix("/"), null, List.of(), List.of(query("animal", "dolphin"), query("color", "blue"))), backend("v3", 1)),
                rule("q", 0, match(prefix("/"), null, List.of(), List.of(query("animal", "whale"))), backend("v1", 1)),
                rule("q", 1, match(prefix("/"), null, List.of(), List.of(query("animal", "dolphin"))), backend("v2", 1)),
                rule("q", 2, match(prefix("/"), null, List.of(), List.of(query("ANIMAL", "Whale"))), backend("v3", 1)))));
        assertThat(backendOf(router, "GET", target)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "HTTPRouteMethodMatching {0} {1} -> {2}")
    @CsvSource({
            "POST,   /,       v1",
            "GET,    /,       v2",
            "HEAD,   /,       404",
            "GET,    /path1,  v1",
            "PATCH,  /path5,  v1",
            "PUT,    /,       404",
    })
    void conformanceMethods(String method, String path, String expected) {
        HostIndexedPortRouter router = router(listener("l", null, vhost("*",
                rule("mm", 2, match(prefix("/path1"), "GET", List.of(), List.of()), backend("v1", 1)),
                rule("mm", 6, match(prefix("/path5")), backend("v1", 1)),
                rule("mm", 0, match(prefix("/"), "POST", List.of(), List.of()), backend("v1", 1)),
                rule("mm", 1, match(prefix("/"), "GET", List.of(), List.of()), backend("v2", 1)))));
        assertThat(backendOf(router, method, path)).isEqualTo(expected);
    }

    @Test
    void regexRuleMatchesWholePath() {
        HostIndexedPortRouter router = router(listener("l", null, vhost("*",
                rule("r", 0, match(regex("/api/v[0-9]+/.*")), backend("v1", 1)))));
        assertThat(routed(router, "GET", "x", "/api/v2/users")).isEqualTo("r#0");
        assertThat(routed(router, "GET", "x", "/api/vx/users")).isEqualTo("404");
    }

    // --- backends -----------------------------------------------------------------------------

    @Test
    void weightedPickSharesAreExact() {
        HostIndexedPortRouter router = router(listener("l", null, vhost("*",
                rule("w", 0, match(prefix("/")), backend("v1", 1), backend("v2", 3), backend("v3", 0)))));
        Route route = router.route(exchange("GET", "/", "x"));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            counts.merge(route.pickBackend().cluster().name(), 1, Integer::sum);
        }
        assertThat(counts).containsOnly(Map.entry("v1", 250), Map.entry("v2", 750));
    }

    @Test
    void invalidBackendShareAnswers500AndNoBackendsIsNull() {
        BackendRefSpec invalid = new BackendRefSpec(null, 1, List.of(), "BackendNotFound: ns/missing");
        HostIndexedPortRouter router = router(listener("l", null, vhost("*",
                rule("inv", 0, match(prefix("/half")), backend("v1", 1), invalid),
                rule("none", 0, match(prefix("/none"))),
                rule("zero", 0, match(prefix("/zero")), backend("v1", 0)),
                rule("gone", 0, match(prefix("/gone")), backend("not-in-snapshot", 1)))));
        Route half = router.route(exchange("GET", "/half", "x"));
        int invalidPicks = 0;
        for (int i = 0; i < 100; i++) {
            Backend b = half.pickBackend();
            if (b.cluster() == null) {
                invalidPicks++;
                assertThat(b.invalidReason()).isEqualTo("BackendNotFound: ns/missing");
            }
        }
        assertThat(invalidPicks).isEqualTo(50);
        assertThat(router.route(exchange("GET", "/none", "x")).pickBackend()).isNull();
        assertThat(router.route(exchange("GET", "/zero", "x")).pickBackend()).isNull();
        Backend gone = router.route(exchange("GET", "/gone", "x")).pickBackend();
        assertThat(gone.cluster()).isNull();
        assertThat(gone.invalidReason()).contains("not-in-snapshot");
    }

    @Test
    void securityFiltersRunFirstThenRateLimitingThenTheRulesOwn() {
        // issue 14's order: a refused credential spends no quota, and a limit can count per consumer
        FilterSpec modifier = new FilterSpec.RequestHeaderModifierSpec(List.of(new FilterSpec.HeaderSpec("x-a", "1")), List.of(), List.of());
        SecurityPolicySpec security = new SecurityPolicySpec("ns/p", null, new SecurityPolicySpec.ApiKeyAuthSpec(
                List.of(new SecurityPolicySpec.ApiKey("client", new byte[32])), List.of(new SecurityPolicySpec.Extract(
                SecurityPolicySpec.Source.HEADER, List.of("x-api-key"))), null, false), null, null, null, Map.of(), null);
        RateLimitSpec limits = new RateLimitSpec("BackendTrafficPolicy ns/p", List.of(new RateLimitSpec.Rule(
                RateLimitSpec.Scope.LOCAL, "b", List.of(), List.of(), null, null, List.of(), null, 10,
                RateLimitSpec.Unit.SECOND, 1, false, true)));
        HttpRuleSpec plain = rule("f", 0, match(prefix("/")), List.of(modifier), backend("v1", 1));
        HttpRuleSpec limited = new HttpRuleSpec(plain.route(), plain.match(), plain.filters(), plain.backends(),
                plain.timeouts(), null, null, security, limits);
        Route route = router(listener("http", null, vhost("*", limited))).route(exchange("GET", "/", "x"));
        assertThat(route.filters()).extracting(f -> f.getClass().getSimpleName()).containsExactly(
                "AuthenticationFilter", "AuthorizationFilter", RateLimitFilter.class.getSimpleName(),
                RequestHeaderModifierFilter.class.getSimpleName());
    }

    @Test
    void routeCarriesRefListenerFiltersAndBackendFilters() {
        FilterSpec modifier = new FilterSpec.RequestHeaderModifierSpec(List.of(new FilterSpec.HeaderSpec("x-a", "1")), List.of(), List.of());
        BackendRefSpec withFilter = new BackendRefSpec("v1", 1, List.of(modifier), null);
        HostIndexedPortRouter router = router(listener("http", null, vhost("*",
                rule("f", 3, match(prefix("/")), List.of(modifier), withFilter))));
        Route route = router.route(exchange("GET", "/", "x"));
        assertThat(route.ref().qualifiedName()).isEqualTo("ns/f");
        assertThat(route.ref().ruleIndex()).isEqualTo(3);
        assertThat(route.listener()).isEqualTo("ns/gw http");
        assertThat(route.filters()).singleElement().isInstanceOf(RequestHeaderModifierFilter.class);
        assertThat(route.pickBackend().filters()).singleElement().isInstanceOf(RequestHeaderModifierFilter.class);
        assertThat(route.timeouts()).isNotNull();
    }

    @Test
    void ruleSharedByTwoVhostsCompilesOnce() {
        HttpRuleSpec shared = rule("s", 0, match(prefix("/")), backend("v1", 1), backend("v2", 1));
        HostIndexedPortRouter router = router(listener("l", null, vhost("a.example.com", shared), vhost("*", shared)));
        assertThat(router.route(exchange("GET", "/", "a.example.com")))
                .isSameAs(router.route(exchange("GET", "/", "b.example.com")));
    }

    // --- errors and explain -------------------------------------------------------------------

    @Test
    void compileErrorNamesRouteRuleAndListener() {
        assertThatThrownBy(() -> router(listener("http", null, vhost("*",
                rule("broken", 2, match(regex("/a[")), backend("v1", 1))))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HTTPRoute ns/broken rule 2 match 0")
                .hasMessageContaining("ns/gw http")
                .hasMessageContaining("/a[");
        FilterSpec badHeader = new FilterSpec.RequestHeaderModifierSpec(
                List.of(new FilterSpec.HeaderSpec("x-a", "bad\r\nvalue")), List.of(), List.of());
        assertThatThrownBy(() -> router(listener("http", null, vhost("*",
                rule("hdr", 1, match(prefix("/")), List.of(badHeader), backend("v1", 1))))))
                .hasMessageContaining("HTTPRoute ns/hdr rule 1").hasMessageContaining("filter 0");
    }

    @Test
    void describeListsListenersHostsAndRulesInOrder() {
        HostIndexedPortRouter router = router(
                listener("http", "*.example.com", vhost("foo.example.com",
                        rule("a", 0, match(exact("/one")), backend("v1", 1)),
                        rule("b", 0, match(prefix("/"), "GET", List.of(header("version", "2")), List.of(query("q", "1"))),
                                backend("v2", 3), new BackendRefSpec(null, 1, List.of(), "RefNotPermitted")))));
        String text = router.describe();
        assertThat(text).contains("port 18080 HTTP", "listener ns/gw http host=*.example.com", "vhost foo.example.com",
                "[0] HTTPRoute ns/a rule 0 match 0: Exact /one -> v1 w=1",
                "[1] HTTPRoute ns/b rule 0 match 0: PathPrefix / method=GET header:version=2 query:q=1 -> v2 w=3, invalid(RefNotPermitted) w=1");
        assertThat(router.port()).isEqualTo(18080);
    }
}
