package dev.gatehouse.proxy.health;

import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.proxy.server.ServerOptions;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.balance.EndpointHealth;
import dev.gatehouse.routing.balance.RoundRobinCluster;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A real gateway on a loopback port whose every request goes to the first cluster served (IR built in code, as
 * the control loop would compile it against the server's health registry), and an HTTP client to call it.
 */
final class LoopbackGateway implements AutoCloseable {
    /** how long the gateway waits for a response head: 504 after it */
    static final Duration BACKEND_TIMEOUT = Duration.ofSeconds(2);
    final GatewayServer server;
    final int port;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private long generation;

    /** @param checks the CLI's checks, or {@code null} for none (--health-check-interval 0) */
    LoopbackGateway(HealthCheckOptions checks) throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        server = new GatewayServer(new ServerOptions("127.0.0.1", 2, Duration.ofSeconds(2), Duration.ofSeconds(20),
                Duration.ofSeconds(1), BACKEND_TIMEOUT, 16 * 1024, 4096));
        if (checks != null) {
            server.healthChecks(checks);
        }
    }

    static ClusterSpec cluster(String name, NamedBackend... backends) {
        List<ClusterSpec.EndpointSpec> endpoints = new ArrayList<>();
        for (NamedBackend b : backends) {
            endpoints.add(new ClusterSpec.EndpointSpec("127.0.0.1", b.address().getPort()));
        }
        return new ClusterSpec(name, endpoints, ClusterSpec.LoadBalancerType.ROUND_ROBIN);
    }

    /** Serves the clusters; requests go to the first. @return the compiled clusters, in order */
    List<RoundRobinCluster> serve(ClusterSpec... specs) {
        Map<String, Cluster> clusters = new LinkedHashMap<>();
        List<RoundRobinCluster> out = new ArrayList<>();
        for (ClusterSpec spec : specs) {
            RoundRobinCluster c = RoundRobinCluster.compile(spec, server.health());
            clusters.put(spec.name(), c);
            out.add(c);
        }
        Snapshot source = new Snapshot(++generation, List.of(new PortSpec(port, Protocol.HTTP, List.of())),
                List.of(specs));
        server.apply(new RuntimeSnapshot(source, Map.of(port, new TestRouter().when(ex -> true,
                TestRoute.to(out.get(0)))), clusters));
        return out;
    }

    EndpointHealth health(NamedBackend b) {
        return server.health().find(b.address());
    }

    HttpResponse<String> get() throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends {@code n} requests one after another; counts by "status body". */
    Map<String, Integer> send(int n) throws IOException, InterruptedException {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = get();
            counts.merge(r.statusCode() + " " + r.body(), 1, Integer::sum);
        }
        return counts;
    }

    @Override
    public void close() {
        server.close();
    }
}
