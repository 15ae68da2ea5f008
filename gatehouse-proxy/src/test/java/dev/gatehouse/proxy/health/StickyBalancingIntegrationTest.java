package dev.gatehouse.proxy.health;

import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.LoadBalancerSpec;
import dev.gatehouse.ir.LoadBalancerSpec.ConsistentHashSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.SessionPersistenceSpec;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.ir.VirtualHostSpec;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.proxy.server.ServerOptions;
import dev.gatehouse.routing.balance.BalancedCluster;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.runtime.SnapshotCompiler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Consistent hash, its generated cookie, session persistence and least request's in-flight counts through a real
 * gateway (built from IR in code) and several real loopback backends.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StickyBalancingIntegrationTest {
    private final List<NamedBackend> backends = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private GatewayServer gateway;
    private RuntimeSnapshot running;
    private int port;

    @AfterEach
    void tearDown() {
        if (gateway != null) {
            gateway.close();
        }
        backends.forEach(NamedBackend::close);
    }

    /** Starts {@code n} backends named b0.. and a gateway serving one rule over them with {@code lb} and {@code session}. */
    private void serve(int n, LoadBalancerSpec lb, SessionPersistenceSpec session) throws Exception {
        List<ClusterSpec.EndpointSpec> endpoints = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            NamedBackend b = new NamedBackend("b" + i);
            backends.add(b);
            endpoints.add(new ClusterSpec.EndpointSpec("127.0.0.1", b.address().getPort()));
        }
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ClusterSpec cluster = new ClusterSpec("default/echo:80", endpoints, ClusterSpec.LoadBalancerType.ROUND_ROBIN,
                null, null, new BackendTrafficSpec("default/policy", lb, null, null, null, null, null, null));
        HttpRuleSpec rule = new HttpRuleSpec(new RouteRef("HTTPRoute", "default", "web", 0, null, 0),
                new HttpMatchSpec(new HttpMatchSpec.PathMatchSpec(HttpMatchSpec.PathMatchType.PATH_PREFIX, "/"),
                        List.of(), List.of(), null), List.of(),
                List.of(new BackendRefSpec("default/echo:80", 1, List.of(), null)), TimeoutSpec.NONE, null, session);
        ListenerSpec listener = new ListenerSpec("default/gw", "web", null, null,
                List.of(new VirtualHostSpec("*", List.of(rule))));
        Snapshot snapshot = new Snapshot(1, List.of(new PortSpec(port, Protocol.HTTP, List.of(listener))),
                List.of(cluster));
        gateway = new GatewayServer(new ServerOptions("127.0.0.1", 2, Duration.ofSeconds(2), Duration.ofSeconds(20),
                Duration.ofSeconds(1), Duration.ofSeconds(5), 16 * 1024, 4096));
        running = new SnapshotCompiler(gateway.health()).compile(snapshot, null);
        gateway.apply(running);
    }

    private HttpResponse<String> get(String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            r.headers(headers);
        }
        return client.send(r.build(), BodyHandlers.ofString());
    }

    private static String cookie(HttpResponse<?> r, String name) {
        return r.headers().allValues("set-cookie").stream().filter(c -> c.startsWith(name + "="))
                .findFirst().orElse(null);
    }

    private static String value(String setCookie) {
        int end = setCookie.indexOf(';');
        return setCookie.substring(setCookie.indexOf('=') + 1, end < 0 ? setCookie.length() : end);
    }

    @Test
    void aHeaderHashKeepsEachClientOnOneBackend() throws Exception {
        serve(4, new LoadBalancerSpec(LoadBalancerSpec.Type.CONSISTENT_HASH, new ConsistentHashSpec(
                ConsistentHashSpec.Source.HEADERS, List.of("x-user"), null, 65537), null), null);
        Set<String> used = new HashSet<>();
        for (int user = 0; user < 12; user++) {
            String first = get("x-user", "user-" + user).body();
            used.add(first);
            for (int i = 0; i < 4; i++) {
                assertThat(get("x-user", "user-" + user).body()).as("user-" + user).isEqualTo(first);
            }
        }
        assertThat(used).as("12 users spread over the backends").hasSizeGreaterThan(1);
    }

    @Test
    void aMissingHashCookieIsGeneratedSetAndThenHashed() throws Exception {
        serve(4, new LoadBalancerSpec(LoadBalancerSpec.Type.CONSISTENT_HASH, new ConsistentHashSpec(
                ConsistentHashSpec.Source.COOKIE, List.of(), new LoadBalancerSpec.CookieSpec("lb",
                Duration.ofMinutes(5), Map.of("SameSite", "Lax")), 65537), null), null);
        for (int client = 0; client < 5; client++) {
            HttpResponse<String> first = get();
            String set = cookie(first, "lb");
            assertThat(set).matches("lb=[0-9a-f]{16}; Max-Age=300; SameSite=Lax");
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> next = get("cookie", "lb=" + value(set));
                assertThat(next.body()).isEqualTo(first.body());
                assertThat(cookie(next, "lb")).as("the client has it: not set again").isNull();
            }
        }
    }

    @Test
    void aSessionCookieSticksUntilItsEndpointDiesThenMovesWithANewCookie() throws Exception {
        serve(3, null, new SessionPersistenceSpec(SessionPersistenceSpec.Type.COOKIE, "sess", null, null, false));
        HttpResponse<String> first = get();
        String set = cookie(first, "sess");
        assertThat(set).startsWith("sess=").endsWith("; Path=/; HttpOnly").doesNotContain("127.0.0.1");
        String home = first.body();
        for (int i = 0; i < 9; i++) { // round robin would rotate: the session holds
            HttpResponse<String> r = get("cookie", "sess=" + value(set));
            assertThat(r.body()).isEqualTo(home);
            assertThat(cookie(r, "sess")).isNull();
        }
        assertThat(get().body()).as("without the cookie, round robin as usual").isNotEqualTo(get().body());

        backends.get(Integer.parseInt(home.substring(1))).stop();
        HttpResponse<String> moved = null;
        for (int i = 0; i < 5 && (moved == null || moved.statusCode() != 200); i++) {
            moved = get("cookie", "sess=" + value(set)); // 502s until passive health ejects it (3 failures)
        }
        assertThat(moved.statusCode()).isEqualTo(200);
        assertThat(moved.body()).isNotEqualTo(home);
        String renewed = cookie(moved, "sess");
        assertThat(renewed).isNotNull().isNotEqualTo(set);
        for (int i = 0; i < 5; i++) {
            assertThat(get("cookie", "sess=" + value(renewed)).body()).isEqualTo(moved.body());
        }
    }

    @Test
    void leastRequestCountsEveryRequestOutAndBackIn() throws Exception {
        serve(3, new LoadBalancerSpec(LoadBalancerSpec.Type.LEAST_REQUEST, null, null), null);
        backends.get(2).stop(); // its requests end in 502: they must be counted out too
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        for (int i = 0; i < 30; i++) {
            statuses.merge(get().statusCode(), 1, Integer::sum);
        }
        assertThat(statuses).containsKey(200);
        BalancedCluster cluster = (BalancedCluster) running.cluster("default/echo:80");
        // the exchange counts its request out on its own loop once the answer is relayed, which may be just after
        // the client has read it: wait for the loop, a count that never returns to 0 still fails
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
            for (InetSocketAddress e : cluster.endpoints()) {
                assertThat(cluster.inFlight(e)).as("in flight to " + e + " after every answer").isZero();
            }
        });
    }
}
