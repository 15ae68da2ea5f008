package dev.gatehouse.proxy.resilience;

import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.RetrySpec;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.ir.UpstreamTlsSpec;
import dev.gatehouse.ir.VirtualHostSpec;
import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.ExchangeObservers;
import dev.gatehouse.proxy.observe.Observability;
import dev.gatehouse.proxy.observe.RequestLog;
import dev.gatehouse.proxy.observe.metrics.GatewayMetrics;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.proxy.server.ServerOptions;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.runtime.SnapshotCompiler;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A real gateway on loopback serving one rule ({@code /}) to one cluster, compiled from IR built in code (what the
 * translator produces from an HTTPRoute and a BackendTrafficPolicy), with metrics on.
 */
final class ResilienceGateway implements AutoCloseable {
    static final String CLUSTER = "default/b:80";

    final GatewayServer server;
    final GatewayMetrics metrics = new GatewayMetrics();
    /** every finished exchange's log, as the access log sees it */
    final ConcurrentLinkedQueue<RequestLog> logs = new ConcurrentLinkedQueue<>();
    final int port;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** BackendTLSPolicy of the cluster from the next {@link #serve} on, or null for cleartext */
    UpstreamTlsSpec tls;
    private RuntimeSnapshot runtime;
    private long generation;

    ResilienceGateway(int ioThreads) throws IOException {
        this(ServerOptions.defaults().withIoThreads(ioThreads));
    }

    ResilienceGateway(ServerOptions options) throws IOException {
        port = freePort();
        ExchangeObserver recorder = new ExchangeObserver() {
            @Override
            public void onComplete(RequestLog log) {
                logs.add(log);
            }
        };
        server = new GatewayServer(options.withBindAddress("127.0.0.1"),
                Observability.defaults().withObserver(ExchangeObservers.of(List.of(metrics, recorder))));
    }

    /** Applies (or reloads) the rule and cluster. */
    void serve(RetrySpec retry, BackendTrafficSpec traffic, TimeoutSpec timeouts, InetSocketAddress... endpoints) {
        RouteRef ref = new RouteRef("HTTPRoute", "default", "r", 0, null, 0);
        HttpRuleSpec rule = new HttpRuleSpec(ref, new HttpMatchSpec(new HttpMatchSpec.PathMatchSpec(
                HttpMatchSpec.PathMatchType.PATH_PREFIX, "/"), List.of(), List.of(), null), List.of(),
                List.of(new BackendRefSpec(CLUSTER, 1, List.of(), null)), timeouts, retry, null);
        ListenerSpec listener = new ListenerSpec("default/gw", "web", null, null,
                List.of(new VirtualHostSpec("*", List.of(rule))));
        List<ClusterSpec.EndpointSpec> specs = new ArrayList<>();
        for (InetSocketAddress a : endpoints) {
            specs.add(new ClusterSpec.EndpointSpec(a.getAddress().getHostAddress(), a.getPort()));
        }
        ClusterSpec cluster = new ClusterSpec(CLUSTER, specs, ClusterSpec.LoadBalancerType.ROUND_ROBIN, null, tls,
                traffic);
        Snapshot snapshot = new Snapshot(++generation, List.of(new PortSpec(port, Protocol.HTTP, List.of(listener))),
                List.of(cluster));
        runtime = new SnapshotCompiler().compile(snapshot, runtime);
        server.apply(runtime);
    }

    HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    HttpResponse<String> send(String method, String path, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The logs {@code which} selects, once there are {@code n} (an exchange's log completes just after its answer). */
    List<RequestLog> logs(java.util.function.Predicate<RequestLog> which, int n) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<RequestLog> found;
        while ((found = logs.stream().filter(which).toList()).size() < n && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        return found;
    }

    static RetrySpec retry(int numRetries, List<Integer> codes, String... triggers) {
        return new RetrySpec(numRetries, java.util.Set.of(triggers), codes, null, Duration.ofMillis(5),
                Duration.ofMillis(20), "HTTPRoute");
    }

    static int freePort() throws IOException {
        return dev.gatehouse.testing.FreePorts.tcp();
    }

    /** Every request slot, pending connect and retry slot taken was given back once the exchanges ended. */
    void assertBreakerSettles() throws InterruptedException {
        ClusterBreaker b = server.breakers().find(CLUSTER);
        if (b == null) {
            return;
        }
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((b.requests() != 0 || b.pending() != 0 || b.retries() != 0) && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        org.assertj.core.api.Assertions.assertThat(new long[]{b.requests(), b.pending(), b.retries()})
                .as("requests, pending connects and retries still counted").containsExactly(0, 0, 0);
    }

    @Override
    public void close() {
        server.close();
    }
}
