package dev.gatehouse.proxy.observe.metrics;

import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PolicyChoice;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.ir.VirtualHostSpec;
import dev.gatehouse.routing.filter.AuthOutcome;
import dev.gatehouse.routing.filter.RateLimitOutcome;
import dev.gatehouse.proxy.observe.RequestLog;
import dev.gatehouse.routing.route.CompiledRoute;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.runtime.SnapshotCompiler;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class GatewayMetricsBindTest {
    private static final int PORT = 18999;

    /** One rule with two matches: two compiled routes, one series per rule, as Micrometer would have it. */
    private static RuntimeSnapshot twoMatchesOfOneRule() {
        List<BackendRefSpec> backends = List.of(new BackendRefSpec("default/echo:80", 1, List.of(), null));
        HttpRuleSpec a = new HttpRuleSpec(new RouteRef("HTTPRoute", "default", "shop", 0, null, 0),
                new HttpMatchSpec(new HttpMatchSpec.PathMatchSpec(HttpMatchSpec.PathMatchType.PATH_PREFIX, "/a"),
                        List.of(), List.of(), null), List.of(), backends, TimeoutSpec.NONE);
        HttpRuleSpec b = new HttpRuleSpec(new RouteRef("HTTPRoute", "default", "shop", 0, null, 1),
                new HttpMatchSpec(new HttpMatchSpec.PathMatchSpec(HttpMatchSpec.PathMatchType.PATH_PREFIX, "/b"),
                        List.of(), List.of(), null), List.of(), backends, TimeoutSpec.NONE);
        return compiled(a, b);
    }

    /** The rules on one listener of {@link #PORT}, to the one cluster default/echo:80. */
    private static RuntimeSnapshot compiled(HttpRuleSpec... rules) {
        ListenerSpec listener = new ListenerSpec("default/gw", "web", null, null,
                List.of(new VirtualHostSpec("*", List.of(rules))));
        Snapshot snapshot = new Snapshot(1, List.of(new PortSpec(PORT, Protocol.HTTP, List.of(listener))), List.of(
                new ClusterSpec("default/echo:80", List.of(new ClusterSpec.EndpointSpec("127.0.0.1", 1)),
                        ClusterSpec.LoadBalancerType.ROUND_ROBIN)));
        return new SnapshotCompiler().compile(snapshot, null);
    }

    private static void complete(GatewayMetrics metrics, CompiledRoute route) {
        RequestLog log = log(200);
        log.route(route);
        metrics.onComplete(log);
    }

    private static RequestLog log(int status) {
        RequestLog log = new RequestLog(1_000_000L, 0L, "GET", "/", "HTTP/1.1", new InetSocketAddress("127.0.0.1", 1), PORT);
        log.status(status);
        log.complete(3_000_000L);
        return log;
    }

    private static String count(String scrape) {
        return scrape.lines().filter(l -> l.startsWith("gatehouse_http_request_duration_seconds_count{")
                && l.contains("route=\"default/shop#0\"")).findFirst().orElse("none");
    }

    @Test
    void everyMatchOfARuleRecordsIntoTheOneSeriesThatIsScrapedFromTheFirstBind() {
        RuntimeSnapshot runtime = twoMatchesOfOneRule();
        List<CompiledRoute> routes = runtime.httpRouter(PORT).routes();
        assertThat(routes).hasSize(2);
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.bind(runtime);
        complete(metrics, routes.get(0));
        complete(metrics, routes.get(1));
        assertThat(count(metrics.scrape())).endsWith("} 2.0");
        metrics.bind(runtime); // a reload keeps the series and its counts
        complete(metrics, routes.get(0));
        assertThat(count(metrics.scrape())).endsWith("} 3.0");
    }

    private static final Pattern LE = Pattern.compile("[{,]le=\"([^\"]*)\"");

    @Test
    void leLabelsAreNumbersInPrometheusCanonicalFormWithoutExponents() {
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.bind(twoMatchesOfOneRule());
        Matcher m = LE.matcher(metrics.scrape());
        int seen = 0;
        while (m.find()) {
            String le = m.group(1);
            seen++;
            assertThat(le).as("le").doesNotContainIgnoringCase("e-").doesNotContain("E");
            if (!le.equals("+Inf")) {
                assertThat(Double.parseDouble(le)).isPositive();
            }
        }
        assertThat(seen).isGreaterThan(17);
        assertThat(metrics.scrape()).contains("le=\"0.0001\"", "le=\"0.00025\"", "le=\"1.0\"", "le=\"10.0\"")
                .doesNotContain("le=\"1.0E-4\"");
        assertThat(GatewayMetrics.canonical(2.5)).isEqualTo("2.5");
        assertThat(GatewayMetrics.canonical(5)).isEqualTo("5.0");
    }

    @Test
    void everyMetricFamilyHasAHelpText() {
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.bind(twoMatchesOfOneRule());
        metrics.connectionOpened(PORT, "h2");
        metrics.http2StreamError(PORT, "protocol_error");
        metrics.http2GoAwaySent(PORT, "no_error");
        metrics.monitorDrops("gatehouse.accesslog.dropped", "Access log lines dropped", () -> 0);
        Map<String, String> help = new HashMap<>();
        List<String> types = new java.util.ArrayList<>();
        for (String line : metrics.scrape().split("\n")) {
            if (line.startsWith("# HELP ")) {
                String[] parts = line.split(" ", 4);
                help.put(parts[2], parts.length > 3 ? parts[3].trim() : "");
            } else if (line.startsWith("# TYPE ")) {
                types.add(line.split(" ")[2]);
            }
        }
        assertThat(types).hasSizeGreaterThan(8);
        for (String family : types) {
            assertThat(help.get(family)).as("# HELP of " + family).isNotBlank();
        }
    }

    @Test
    void filterOutcomeSeriesAppearOnlyOnceAFilterRecordsOne() {
        RuntimeSnapshot runtime = twoMatchesOfOneRule();
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.bind(runtime);
        complete(metrics, runtime.httpRouter(PORT).routes().get(0));
        assertThat(metrics.scrape()).doesNotContain("gatehouse_auth_outcomes", "gatehouse_ratelimit_outcomes");

        RequestLog denied = log(403);
        denied.route(runtime.httpRouter(PORT).routes().get(1));
        denied.auth(AuthOutcome.DENIED);
        metrics.onComplete(denied);
        metrics.bind(runtime); // a reload keeps the counter
        assertThat(metrics.scrape()).contains("gatehouse_auth_outcomes_total{outcome=\"denied\",route=\"default/shop#0\"} 1.0")
                .doesNotContain("outcome=\"allowed\"", "gatehouse_ratelimit_outcomes");
        metrics.bind(new SnapshotCompiler().compile(new Snapshot(2, List.of(), List.of()), runtime));
        assertThat(metrics.scrape()).doesNotContain("gatehouse_auth_outcomes");
    }

    /**
     * Two rules under one SecurityPolicy (one chosen by its route, one by the Gateway) and one BackendTrafficPolicy:
     * the policy family counts each policy's decisions whatever the rule, with the five bounded outcomes.
     */
    private static RuntimeSnapshot twoRulesUnderPolicies() {
        List<BackendRefSpec> backends = List.of(new BackendRefSpec("default/echo:80", 1, List.of(), null));
        PolicyChoice keys = new PolicyChoice("SecurityPolicy", "default/keys", "HTTPRoute default/shop", List.of());
        PolicyChoice limits = new PolicyChoice("BackendTrafficPolicy", "default/limits", "HTTPRoute default/shop",
                List.of());
        HttpRuleSpec a = new HttpRuleSpec(new RouteRef("HTTPRoute", "default", "shop", 0, null, 0),
                new HttpMatchSpec(new HttpMatchSpec.PathMatchSpec(HttpMatchSpec.PathMatchType.PATH_PREFIX, "/a"),
                        List.of(), List.of(), null), List.of(), backends, TimeoutSpec.NONE, null, null, null, null,
                List.of(keys, limits));
        HttpRuleSpec b = new HttpRuleSpec(new RouteRef("HTTPRoute", "default", "shop", 1, null, 0),
                new HttpMatchSpec(new HttpMatchSpec.PathMatchSpec(HttpMatchSpec.PathMatchType.PATH_PREFIX, "/b"),
                        List.of(), List.of(), null), List.of(), backends, TimeoutSpec.NONE, null, null, null, null,
                List.of(keys));
        return compiled(a, b);
    }

    private static void decided(GatewayMetrics metrics, CompiledRoute route, AuthOutcome auth,
                                RateLimitOutcome rateLimit) {
        RequestLog log = log(200);
        log.route(route);
        if (auth != null) {
            log.auth(auth);
        }
        if (rateLimit != null) {
            log.rateLimit(rateLimit);
        }
        metrics.onComplete(log);
    }

    @Test
    void decisionsAreCountedPerPolicyWithTheFiveOutcomes() {
        RuntimeSnapshot runtime = twoRulesUnderPolicies();
        List<CompiledRoute> routes = runtime.httpRouter(PORT).routes();
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.bind(runtime);
        decided(metrics, routes.get(0), AuthOutcome.ALLOWED, RateLimitOutcome.ALLOWED);
        decided(metrics, routes.get(0), AuthOutcome.ALLOWED, RateLimitOutcome.LIMITED);
        decided(metrics, routes.get(0), AuthOutcome.UNAUTHENTICATED, null);
        decided(metrics, routes.get(1), AuthOutcome.ALLOWED, null);
        decided(metrics, routes.get(1), AuthOutcome.DENIED, null);
        decided(metrics, routes.get(1), AuthOutcome.ERROR, null);
        decided(metrics, routes.get(0), AuthOutcome.ALLOWED, RateLimitOutcome.ERROR);
        metrics.bind(runtime); // a reload keeps the counters
        String keys = "kind=\"SecurityPolicy\",outcome=\"%s\",policy=\"default/keys\"} %s";
        String limits = "kind=\"BackendTrafficPolicy\",outcome=\"%s\",policy=\"default/limits\"} %s";
        assertThat(metrics.scrape().lines().filter(l -> l.startsWith("gatehouse_policy_outcomes_total{"))
                .map(l -> l.substring("gatehouse_policy_outcomes_total{".length())).toList())
                .containsExactlyInAnyOrder(keys.formatted("allowed", "4.0"), keys.formatted("unauthenticated", "1.0"),
                        keys.formatted("denied", "1.0"), keys.formatted("error", "1.0"),
                        limits.formatted("allowed", "1.0"), limits.formatted("rate_limited", "1.0"),
                        limits.formatted("error", "1.0"));
        // the policies left the config: their series go with them
        metrics.bind(new SnapshotCompiler().compile(new Snapshot(2, List.of(), List.of()), runtime));
        assertThat(metrics.scrape()).doesNotContain("gatehouse_policy_outcomes");
    }

    @Test
    void aRequestThatMatchedNoRuleIsCountedUnderTheListenerItsHostChose() {
        RuntimeSnapshot runtime = twoMatchesOfOneRule();
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.bind(runtime);
        RequestLog notFound = log(404);
        notFound.unmatchedOn(runtime.httpRouter(PORT).listeners().get(0));
        metrics.onComplete(notFound);
        metrics.onComplete(log(400)); // refused before routing: no listener
        String text = metrics.scrape();
        assertThat(text).contains("gatehouse_http_requests_total{backend=\"none\",listener=\"default/gw/web\",route=\"none\",status_class=\"4xx\"} 1.0")
                .contains("gatehouse_http_requests_total{backend=\"none\",listener=\"none\",route=\"none\",status_class=\"4xx\"} 1.0")
                .contains("gatehouse_http_request_duration_seconds_count{listener=\"default/gw/web\",route=\"none\"} 1.0");
    }

    /**
     * Micrometer ignores a gauge registered again under the same id and says so at WARN once per JVM, then at
     * DEBUG; simplelogger.properties puts MeterRegistry at DEBUG so that every occurrence is seen here.
     */
    @Test
    void reloadsRegisterNoGaugeTwice() {
        RuntimeSnapshot runtime = twoMatchesOfOneRule();
        GatewayMetrics metrics = new GatewayMetrics();
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            metrics.bind(runtime);
            metrics.bind(new SnapshotCompiler().compile(runtime.source(), runtime));
            metrics.bind(runtime);
        } finally {
            System.setErr(err);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("already registered");
        assertThat(metrics.scrape()).contains("gatehouse_backend_endpoint_healthy{cluster=\"default/echo:80\",endpoint=\"127.0.0.1:1\"} 1.0");
    }

    /** A rule per cluster, "default/&lt;cluster&gt;" routing to cluster "default/&lt;cluster&gt;:80", compiled over {@code previous}. */
    private static RuntimeSnapshot rulesTo(RuntimeSnapshot previous, Map<String, List<String>> endpointsByCluster) {
        return rulesTo(new SnapshotCompiler(), previous, endpointsByCluster);
    }

    private static RuntimeSnapshot rulesTo(SnapshotCompiler compiler, RuntimeSnapshot previous,
                                           Map<String, List<String>> endpointsByCluster) {
        List<HttpRuleSpec> rules = new java.util.ArrayList<>();
        List<ClusterSpec> clusters = new java.util.ArrayList<>();
        endpointsByCluster.forEach((name, addresses) -> {
            rules.add(new HttpRuleSpec(new RouteRef("HTTPRoute", "default", name, 0, null, 0),
                    new HttpMatchSpec(new HttpMatchSpec.PathMatchSpec(HttpMatchSpec.PathMatchType.PATH_PREFIX, "/" + name),
                            List.of(), List.of(), null), List.of(),
                    List.of(new BackendRefSpec("default/" + name + ":80", 1, List.of(), null)), TimeoutSpec.NONE));
            clusters.add(new ClusterSpec("default/" + name + ":80", addresses.stream()
                    .map(a -> new ClusterSpec.EndpointSpec(a, 1)).toList(), ClusterSpec.LoadBalancerType.ROUND_ROBIN));
        });
        ListenerSpec listener = new ListenerSpec("default/gw", "web", null, null, List.of(new VirtualHostSpec("*", rules)));
        return compiler.compile(new Snapshot(1, List.of(new PortSpec(PORT, Protocol.HTTP,
                List.of(listener))), clusters), previous);
    }

    /** A bind skips the routes the compiler kept (the same instances): they keep their meters and counts. */
    @Test
    void aRouteTheCompilerKeptKeepsItsMetersAndTheOthersAreBoundAgain() {
        SnapshotCompiler compiler = new SnapshotCompiler();
        GatewayMetrics metrics = new GatewayMetrics();
        Map<String, List<String>> both = new java.util.TreeMap<>(); // kept's cluster first
        both.put("shop", List.of("127.0.0.1"));
        both.put("kept", List.of("127.0.0.5"));
        RuntimeSnapshot first = rulesTo(compiler, null, both);
        metrics.bind(first);
        first.httpRouters().get(PORT).routes().forEach(route -> complete(metrics, route));

        // shop's endpoints change: its route is compiled again; the rules are the same IR instances
        RuntimeSnapshot second = compiler.compile(new Snapshot(2, first.source().ports(), List.of(
                first.source().clusters().get(0), new ClusterSpec("default/shop:80", List.of(
                        new ClusterSpec.EndpointSpec("127.0.0.1", 1), new ClusterSpec.EndpointSpec("127.0.0.2", 1)),
                        ClusterSpec.LoadBalancerType.ROUND_ROBIN))), first);
        Map<String, CompiledRoute> before = byLabel(first);
        Map<String, CompiledRoute> after = byLabel(second);
        assertThat(after.get("default/kept#0")).isSameAs(before.get("default/kept#0"));
        assertThat(after.get("default/shop#0")).isNotSameAs(before.get("default/shop#0"));
        metrics.bind(second);
        assertThat(after.get("default/kept#0").observation()).isSameAs(before.get("default/kept#0").observation());
        second.httpRouters().get(PORT).routes().forEach(route -> complete(metrics, route));
        String scrape = metrics.scrape();
        for (String route : List.of("kept", "shop")) {
            assertThat(scrape.lines().filter(l -> l.startsWith("gatehouse_http_request_duration_seconds_count{")
                    && l.contains("route=\"default/" + route + "#0\""))).singleElement()
                    .satisfies(l -> assertThat(l).endsWith(" 2.0"));
        }
        assertThat(scrape).contains("endpoint=\"127.0.0.2:1\"");

        metrics.bind(rulesTo(compiler, second, Map.of("shop", List.of("127.0.0.1")))); // kept leaves
        assertThat(metrics.scrape()).doesNotContain("default/kept").doesNotContain("127.0.0.5:1")
                .doesNotContain("127.0.0.2:1").contains("route=\"default/shop#0\"");
    }

    private static Map<String, CompiledRoute> byLabel(RuntimeSnapshot runtime) {
        Map<String, CompiledRoute> out = new java.util.HashMap<>();
        runtime.httpRouters().get(PORT).routes().forEach(r -> out.put(r.label(), r));
        return out;
    }

    @Test
    void aBindRemovesTheSeriesOfRoutesAndEndpointsThatLeftAndKeepsTheOthersWithTheirCounts() {
        GatewayMetrics metrics = new GatewayMetrics();
        Map<String, List<String>> both = new java.util.LinkedHashMap<>();
        both.put("shop", List.of("127.0.0.1", "127.0.0.2"));
        both.put("gone", List.of("127.0.0.3"));
        RuntimeSnapshot first = rulesTo(null, both);
        metrics.bind(first);
        first.httpRouters().get(PORT).routes().forEach(route -> complete(metrics, route)); // served: series shown
        assertThat(metrics.scrape()).contains("endpoint=\"127.0.0.2:1\"", "endpoint=\"127.0.0.3:1\"",
                "route=\"default/gone#0\"");

        // shop loses an endpoint (a new cluster instance), gone leaves; then the same again (every instance kept)
        RuntimeSnapshot second = rulesTo(first, Map.of("shop", List.of("127.0.0.1")));
        metrics.bind(second);
        RuntimeSnapshot third = rulesTo(second, Map.of("shop", List.of("127.0.0.1")));
        metrics.bind(third);

        String scrape = metrics.scrape();
        assertThat(scrape).contains(
                        "gatehouse_backend_endpoint_healthy{cluster=\"default/shop:80\",endpoint=\"127.0.0.1:1\"} 1.0")
                .doesNotContain("127.0.0.2:1").doesNotContain("127.0.0.3:1").doesNotContain("default/gone");
        assertThat(scrape.lines().filter(l -> l.startsWith("gatehouse_http_requests_total{")
                && l.contains("route=\"default/shop#0\"") && l.contains("backend=\"none\"") && l.contains("status_class=\"2xx\"")))
                .singleElement().satisfies(l -> assertThat(l).endsWith(" 1.0"));
    }

    /** Rule default/shop#0 to the given backends, with a cluster for each, compiled over {@code previous}. */
    private static RuntimeSnapshot shopTo(RuntimeSnapshot previous, String... clusters) {
        HttpRuleSpec rule = new HttpRuleSpec(new RouteRef("HTTPRoute", "default", "shop", 0, null, 0),
                new HttpMatchSpec(new HttpMatchSpec.PathMatchSpec(HttpMatchSpec.PathMatchType.PATH_PREFIX, "/"),
                        List.of(), List.of(), null), List.of(),
                java.util.Arrays.stream(clusters).map(c -> new BackendRefSpec(c, 1, List.of(), null)).toList(),
                TimeoutSpec.NONE);
        ListenerSpec listener = new ListenerSpec("default/gw", "web", null, null,
                List.of(new VirtualHostSpec("*", List.of(rule))));
        return new SnapshotCompiler().compile(new Snapshot(1, List.of(new PortSpec(PORT, Protocol.HTTP,
                List.of(listener))), java.util.Arrays.stream(clusters).map(c -> new ClusterSpec(c,
                List.of(new ClusterSpec.EndpointSpec("127.0.0.1", 1)), ClusterSpec.LoadBalancerType.ROUND_ROBIN))
                .toList()), previous);
    }

    private static void servedByItsFirstBackend(GatewayMetrics metrics, RuntimeSnapshot snapshot) {
        CompiledRoute route = snapshot.httpRouter(PORT).routes().get(0);
        RequestLog log = log(200);
        log.route(route);
        log.backend(route.backends().get(0));
        metrics.onComplete(log);
    }

    /** The route's counts live in its meter set's cells: a reload that makes it a new set keeps what they counted. */
    @Test
    void aRouteWhoseBackendsChangeKeepsTheCountsOfTheSeriesThatStay() {
        GatewayMetrics metrics = new GatewayMetrics();
        RuntimeSnapshot first = shopTo(null, "default/echo:80");
        metrics.bind(first);
        servedByItsFirstBackend(metrics, first);
        servedByItsFirstBackend(metrics, first);

        RuntimeSnapshot second = shopTo(first, "default/echo:80", "default/other:80");
        metrics.bind(second);
        servedByItsFirstBackend(metrics, second);
        String scrape = metrics.scrape();
        assertThat(scrape).contains("gatehouse_http_requests_total{backend=\"default/echo:80\",listener=\"default/gw/web\","
                + "route=\"default/shop#0\",status_class=\"2xx\"} 3.0");
        assertThat(count(scrape)).endsWith("} 3.0");

        metrics.bind(shopTo(second, "default/other:80")); // echo leaves the rule: its series goes
        assertThat(metrics.scrape()).doesNotContain("backend=\"default/echo:80\"");
        assertThat(count(metrics.scrape())).endsWith("} 3.0");
    }

    /**
     * 10,000 compiled routes cost no meter until they serve: binding them registered 12 counters (and allocated
     * 3 histograms of 18 adders) each, 173 MiB of old generation and a scrape larger than the heap. A served
     * route's series carry the same names, tags and values as before.
     */
    @Test
    void routesRegisterTheirMetersOnTheirFirstRequestOnly() {
        HttpRuleSpec[] rules = new HttpRuleSpec[10_000];
        List<BackendRefSpec> backends = List.of(new BackendRefSpec("default/echo:80", 1, List.of(), null));
        for (int i = 0; i < rules.length; i++) {
            rules[i] = new HttpRuleSpec(new RouteRef("HTTPRoute", "default", "r" + i, 0, null, 0),
                    new HttpMatchSpec(new HttpMatchSpec.PathMatchSpec(HttpMatchSpec.PathMatchType.PATH_PREFIX, "/r" + i),
                            List.of(), List.of(), null), List.of(), backends, TimeoutSpec.NONE);
        }
        RuntimeSnapshot runtime = compiled(rules);
        GatewayMetrics metrics = new GatewayMetrics();
        int before = metrics.registry().getMeters().size();
        metrics.bind(runtime);
        assertThat(metrics.registry().getMeters().size() - before).as("meters bound by 10,000 routes").isLessThan(10);
        assertThat(metrics.scrape()).doesNotContain("route=\"default/r");

        CompiledRoute served = runtime.httpRouter(PORT).routes().stream()
                .filter(r -> r.label().equals("default/r42#0")).findFirst().orElseThrow();
        RequestLog log = log(201);
        log.route(served);
        log.backend(served.backends().get(0));
        metrics.onComplete(log);
        metrics.onComplete(log);
        String scrape = metrics.scrape();
        assertThat(scrape).contains(
                "gatehouse_http_requests_total{backend=\"default/echo:80\",listener=\"default/gw/web\","
                        + "route=\"default/r42#0\",status_class=\"2xx\"} 2.0",
                "gatehouse_http_request_duration_seconds_count{listener=\"default/gw/web\",route=\"default/r42#0\"} 2.0",
                "gatehouse_http_upstream_duration_seconds_count{listener=\"default/gw/web\",route=\"default/r42#0\"} 0.0",
                "gatehouse_http_gateway_duration_seconds_count{listener=\"default/gw/web\",route=\"default/r42#0\"} 2.0",
                "gatehouse_http_request_bytes_total{listener=\"default/gw/web\",route=\"default/r42#0\"} 0.0",
                "gatehouse_http_response_bytes_total{listener=\"default/gw/web\",route=\"default/r42#0\"} 0.0")
                .doesNotContain("route=\"default/r43#0\"").doesNotContain("route=\"default/r42#0\",status_class=\"5xx\"");
        metrics.bind(new SnapshotCompiler().compile(runtime.source(), runtime)); // a reload keeps the count
        metrics.onComplete(log);
        assertThat(metrics.scrape()).contains("route=\"default/r42#0\",status_class=\"2xx\"} 3.0");

        metrics.bind(twoMatchesOfOneRule()); // r42 leaves: its series go, and a late request brings none back
        metrics.onComplete(log);
        assertThat(metrics.scrape()).doesNotContain("default/r42#0");
        assertThat(metrics.registry().getMeters().size() - before).isLessThan(10);
    }
}
