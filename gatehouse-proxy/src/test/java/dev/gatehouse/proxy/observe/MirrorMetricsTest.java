package dev.gatehouse.proxy.observe;

import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.FilterSpec;
import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.ir.VirtualHostSpec;
import dev.gatehouse.proxy.observe.metrics.GatewayMetrics;
import dev.gatehouse.routing.runtime.SnapshotCompiler;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.proxy.server.ServerOptions;
import dev.gatehouse.proxy.testing.RecordingBackend;
import dev.gatehouse.proxy.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Mirror copies (RequestMirror) are counted per route, mirror backend and result through counters bound with
 * the route: one rule mirrors every request to a live backend, to a port nobody listens on and to a cluster
 * without endpoints.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MirrorMetricsTest {
    static final String ROUTE = "default/mirrored#0";
    static final int N = 20;

    @Test
    void everyMirrorCopyIsCountedOnceWithItsResult() throws Exception {
        GatewayMetrics metrics = new GatewayMetrics();
        int port = freePort();
        try (TestBackend main = new TestBackend(); RecordingBackend mirror = new RecordingBackend()) {
            GatewayServer gw = new GatewayServer(ServerOptions.defaults().withBindAddress("127.0.0.1"),
                    new Observability(true, true, false, metrics));
            try {
                gw.apply(new SnapshotCompiler().compile(snapshot(port, main.address().getPort(),
                        mirror.address().getPort(), freePort()), null));
                String text = metrics.scrape();
                for (String backend : List.of("default/live:80", "default/dead:80", "default/empty:80")) {
                    for (String result : List.of("sent", "failed", "dropped")) {
                        // a series appears when first counted: nothing is registered for a route that has not served
                        assertThat(mirrorCount(text, backend, result)).as("none at apply: %s %s", backend, result)
                                .isEqualTo(-1.0);
                    }
                }
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                for (int i = 0; i < N; i++) {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + "/m/" + i))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).isEqualTo(200);
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    String t = metrics.scrape();
                    return mirrorCount(t, "default/live:80", "sent") >= N
                            && mirrorCount(t, "default/dead:80", "failed") >= N
                            && mirrorCount(t, "default/empty:80", "dropped") >= N;
                });
                Thread.sleep(200); // nothing more may arrive
                text = metrics.scrape();
                assertThat(mirrorCount(text, "default/live:80", "sent")).isEqualTo(N);
                assertThat(mirrorCount(text, "default/live:80", "failed")).isZero();
                assertThat(mirrorCount(text, "default/live:80", "dropped")).isZero();
                assertThat(mirrorCount(text, "default/dead:80", "failed")).isEqualTo(N);
                assertThat(mirrorCount(text, "default/dead:80", "sent")).isZero();
                assertThat(mirrorCount(text, "default/dead:80", "dropped")).isZero();
                assertThat(mirrorCount(text, "default/empty:80", "dropped")).isEqualTo(N);
                assertThat(mirrorCount(text, "default/empty:80", "sent")).isZero();
                assertThat(mirrorCount(text, "default/empty:80", "failed")).isZero();
                assertThat(mirror.requests()).hasSize(N);
                // the real requests were counted as usual, once each
                assertThat(text).contains("gatehouse_http_requests_total{backend=\"default/main:80\","
                        + "listener=\"default/gw/web\",route=\"" + ROUTE + "\",status_class=\"2xx\"} " + N + ".0");
            } finally {
                gw.close();
            }
        }
    }

    static Snapshot snapshot(int listenPort, int mainPort, int mirrorPort, int deadPort) {
        RouteRef ref = new RouteRef("HTTPRoute", "default", "mirrored", 0, null, 0);
        HttpRuleSpec rule = new HttpRuleSpec(ref, new HttpMatchSpec(new HttpMatchSpec.PathMatchSpec(
                HttpMatchSpec.PathMatchType.PATH_PREFIX, "/m"), List.of(), List.of(), null),
                List.of(new FilterSpec.RequestMirrorSpec("default/live:80", 100),
                        new FilterSpec.RequestMirrorSpec("default/dead:80", 100),
                        new FilterSpec.RequestMirrorSpec("default/empty:80", 100)),
                List.of(new BackendRefSpec("default/main:80", 1, List.of(), null)), TimeoutSpec.NONE);
        ListenerSpec listener = new ListenerSpec("default/gw", "web", null, null,
                List.of(new VirtualHostSpec("*", List.of(rule))));
        return new Snapshot(1, List.of(new PortSpec(listenPort, Protocol.HTTP, List.of(listener))), List.of(
                cluster("default/main:80", mainPort), cluster("default/live:80", mirrorPort),
                cluster("default/dead:80", deadPort),
                new ClusterSpec("default/empty:80", List.of(), ClusterSpec.LoadBalancerType.ROUND_ROBIN)));
    }

    private static ClusterSpec cluster(String name, int port) {
        return new ClusterSpec(name, List.of(new ClusterSpec.EndpointSpec("127.0.0.1", port)),
                ClusterSpec.LoadBalancerType.ROUND_ROBIN);
    }

    /** -1 when the series is absent (not bound). */
    static double mirrorCount(String text, String backend, String result) {
        String prefix = "gatehouse_http_mirror_requests_total{backend=\"" + backend + "\",result=\"" + result
                + "\",route=\"" + ROUTE + "\"} ";
        return text.lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).findFirst().orElse(-1);
    }

    static int freePort() throws Exception {
        return dev.gatehouse.testing.FreePorts.tcp();
    }
}
