package dev.gatehouse.routing.explain;

import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.routing.Fixtures;
import dev.gatehouse.routing.explain.Explanation.OutcomeKind;
import dev.gatehouse.routing.explain.Explanation.RuleExplanation;
import dev.gatehouse.routing.explain.Explanation.Verdict;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.route.Route;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.runtime.SnapshotCompiler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.gatehouse.routing.Fixtures.backend;
import static dev.gatehouse.routing.Fixtures.cluster;
import static dev.gatehouse.routing.Fixtures.exact;
import static dev.gatehouse.routing.Fixtures.header;
import static dev.gatehouse.routing.Fixtures.match;
import static dev.gatehouse.routing.Fixtures.prefix;
import static dev.gatehouse.routing.Fixtures.query;
import static dev.gatehouse.routing.Fixtures.vhost;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Explain's outcome route is the data plane's route: on the shop snapshot and on the Gateway API
 * conformance match tables (one port each), for random requests, the explained rule equals what
 * {@code router.route(exchange)} returns on an exchange built the way the frontend builds it.
 */
class ExplainPropertyTest {
    private static final String[] HOSTS = {"shop.example.com", "api.example.com", "www.example.com", "example.com",
            "other.org", "foo.example.com", "a.example.org", "bar.example.net"};
    private static final String[] PATHS = {"/", "/v1", "/v1/cart", "/v2", "/v2/", "/v2example", "/v2/example",
            "/foo/v2/example", "/api", "/api/items", "/search", "/old", "/old/", "/broken", "/empty/1", "/wild/x",
            "/any", "/match", "/match/exact", "/match/exact/one", "/match/prefix/one/any", "/match/prefix/any",
            "/match/any", "/nomatch", "/path1", "/path5", "/example"};
    private static final String[] METHODS = {"GET", "POST", "PUT", "HEAD", "PATCH"};
    private static final String[] QUERIES = {null, "animal=whale", "animal=dolphin", "animal=dolphin&color=blue",
            "animal=dolphin&color=yellow", "ANIMAL=Whale", "color=blue", "page=12", "page=x", "x=1"};
    private static final String[][] HEADERS = {{}, {"version", "one"}, {"version", "two"}, {"x-env", "staging"},
            {"x-env", "prod"}, {"x-env", "staging", "version", "two"}};
    private static final int[] PORTS = {80, 443, 8080, 9000, 1001, 1002, 1003, 1004, 1005};

    /** The conformance tables of HostIndexedPortRouterTest, with unique rule refs so routes can be told apart. */
    private static Snapshot conformance() {
        List<PortSpec> ports = new ArrayList<>(ShopSnapshot.snapshot().ports());
        ports.add(port(1001, listener("l", null, vhost("*",
                rule(0, match(prefix("/v2")), "v2"),
                rule(1, match(prefix("/"), null, List.of(header("version", "two")), List.of()), "v2"),
                rule(2, match(prefix("/"), null, List.of(header("version", "one")), List.of()), "v1"),
                rule(3, match(prefix("/")), "v1")))));
        ports.add(port(1002, listener("l", null, vhost("*",
                rule(0, match(exact("/match/exact/one")), "v3"),
                rule(1, match(exact("/match/exact")), "v2"),
                rule(2, match(exact("/match")), "v1"),
                rule(3, match(prefix("/match/prefix/one")), "v2"),
                rule(4, match(prefix("/match/prefix/")), "v1"),
                rule(5, match(prefix("/match/")), "v3")))));
        ports.add(port(1003, listener("l", null, vhost("*",
                rule(0, match(prefix("/"), null, List.of(), List.of(query("animal", "dolphin"), query("color", "blue"))), "v3"),
                rule(1, match(prefix("/"), null, List.of(), List.of(query("animal", "whale"))), "v1"),
                rule(2, match(prefix("/"), null, List.of(), List.of(query("animal", "dolphin"))), "v2"),
                rule(3, match(prefix("/"), null, List.of(), List.of(query("ANIMAL", "Whale"))), "v3")))));
        ports.add(port(1004, listener("l", null, vhost("*",
                rule(0, match(prefix("/path1"), "GET", List.of(), List.of()), "v1"),
                rule(1, match(prefix("/path5")), "v1"),
                rule(2, match(prefix("/"), "POST", List.of(), List.of()), "v1"),
                rule(3, match(prefix("/"), "GET", List.of(), List.of()), "v2")))));
        ports.add(port(1005,
                listener("wild", "*.example.com", vhost("*.example.com", rule(0, match(prefix("/wild")), "v2"))),
                listener("any", null, vhost("*", rule(1, match(prefix("/")), "v3")))));
        List<ClusterSpec> clusters = new ArrayList<>(ShopSnapshot.snapshot().clusters());
        clusters.add(cluster("v1", 9001));
        clusters.add(cluster("v2", 9002));
        clusters.add(cluster("v3", 9003));
        return new Snapshot(1, ports, clusters);
    }

    private static PortSpec port(int port, ListenerSpec... listeners) {
        return new PortSpec(port, Protocol.HTTP, List.of(listeners));
    }

    private static ListenerSpec listener(String name, String hostname, dev.gatehouse.ir.VirtualHostSpec... vhosts) {
        return Fixtures.listener(name, hostname, vhosts);
    }

    private static HttpRuleSpec rule(int index, dev.gatehouse.ir.HttpMatchSpec match, String cluster) {
        return Fixtures.rule("conformance", index, match, backend(cluster, 1));
    }

    @Test
    void explainedRouteIsTheRoutedRoute() {
        RuntimeSnapshot runtime = new SnapshotCompiler().compile(conformance(), null);
        Random random = new Random(2026);
        int routed = 0;
        int notRouted = 0;
        for (int i = 0; i < 5000; i++) {
            String host = HOSTS[random.nextInt(HOSTS.length)];
            int port = PORTS[random.nextInt(PORTS.length)];
            String method = METHODS[random.nextInt(METHODS.length)];
            String path = PATHS[random.nextInt(PATHS.length)];
            String query = QUERIES[random.nextInt(QUERIES.length)];
            String[] headers = HEADERS[random.nextInt(HEADERS.length)];
            List<String> headerLines = new ArrayList<>();
            for (int h = 0; h < headers.length; h += 2) {
                headerLines.add(headers[h] + ": " + headers[h + 1]);
            }
            String target = query == null ? path : path + "?" + query;
            // plain http even on 443: no SNI, so the misdirected check (which routing does not make) stays out of it
            ExplainRequest request = ExplainRequest.parse(method, "http://" + host + ":" + port + target, headerLines);
            Explanation e = RouteExplainer.explain(runtime, request);

            HttpPortRouter router = runtime.httpRouter(port);
            if (router == null) {
                // an L4 port (its TCP listener has no route) closes the connection; no port at all refuses it
                assertThat(e.outcome().kind()).isEqualTo(runtime.l4Router(port) != null ? OutcomeKind.NO_ROUTE
                        : OutcomeKind.NO_LISTENER);
                continue;
            }
            // built independently of ExplainRequest, the way the tests stand in for the frontend
            Route expected = router.route(Fixtures.exchange("http", port, method, target, host, headers));
            String what = method + " " + host + ":" + port + target + " " + headerLines;
            assertThat(e.matchedRule()).as(what).isEqualTo(expected == null ? null : expected.ref());
            assertThat(e.notes()).as(what).noneMatch(n -> n.startsWith("BUG"));
            List<RuleExplanation> matched = e.rules().stream().filter(r -> r.verdict() == Verdict.MATCHED).toList();
            if (expected == null) {
                notRouted++;
                assertThat(matched).as(what).isEmpty();
                assertThat(e.outcome().kind()).as(what).isEqualTo(OutcomeKind.NO_ROUTE);
                assertThat(e.outcome().status()).isEqualTo(404);
            } else {
                routed++;
                assertThat(matched).as(what).singleElement().extracting(RuleExplanation::ref).isEqualTo(expected.ref());
                int at = matched.get(0).position();
                assertThat(e.rules()).allSatisfy(r -> assertThat(r.verdict()).isEqualTo(
                        r.position() < at ? Verdict.NOT_MATCHED : r.position() == at ? Verdict.MATCHED : Verdict.NOT_REACHED));
                assertThat(e.outcome().kind()).as(what).isNotEqualTo(OutcomeKind.NO_ROUTE);
            }
        }
        assertThat(routed).isGreaterThan(500);
        assertThat(notRouted).isGreaterThan(500);
    }
}
