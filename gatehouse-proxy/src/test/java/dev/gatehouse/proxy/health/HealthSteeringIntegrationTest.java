package dev.gatehouse.proxy.health;

import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.routing.balance.EndpointHealth;
import dev.gatehouse.routing.balance.HealthState;
import dev.gatehouse.routing.balance.RoundRobinCluster;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.proxy.server.ServerOptions;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Health checks steering real traffic through a real gateway over loopback sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HealthSteeringIntegrationTest {
    /** probes of a stopped backend are refused at once; a live one must not fail a probe because the machine is busy */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final String CLUSTER = "default/echo:80";
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private GatewayServer gateway;
    private int port;

    @AfterEach
    void tearDown() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        for (int i = closeLater.size() - 1; i >= 0; i--) { // reverse: channels before their loops
            closeLater.get(i).close();
        }
    }

    private NamedBackend backend(String name) {
        NamedBackend b = new NamedBackend(name);
        closeLater.add(b);
        return b;
    }

    private void startGateway(HealthCheckOptions checks) throws IOException {
        port = freePort();
        gateway = new GatewayServer(new ServerOptions("127.0.0.1", 2, Duration.ofSeconds(2), Duration.ofSeconds(20),
                Duration.ofSeconds(1), Duration.ofSeconds(5), 16 * 1024, 4096));
        if (checks != null) {
            gateway.healthChecks(checks);
        }
    }

    /** What the control loop does: compile the cluster against the server's registry, then apply. */
    private RoundRobinCluster serve(long generation, InetSocketAddress... endpoints) {
        List<ClusterSpec.EndpointSpec> specs = new ArrayList<>();
        for (InetSocketAddress a : endpoints) {
            specs.add(new ClusterSpec.EndpointSpec(a.getAddress().getHostAddress(), a.getPort()));
        }
        ClusterSpec spec = new ClusterSpec(CLUSTER, specs, ClusterSpec.LoadBalancerType.ROUND_ROBIN);
        RoundRobinCluster cluster = RoundRobinCluster.compile(spec, gateway.health());
        HttpPortRouter router = new TestRouter().when(ex -> true, TestRoute.to(cluster));
        Snapshot source = new Snapshot(generation, List.of(new PortSpec(port, Protocol.HTTP, List.of())), List.of(spec));
        gateway.apply(new RuntimeSnapshot(source, Map.of(port, router), Map.of(CLUSTER, cluster)));
        return cluster;
    }

    private HealthState state(InetSocketAddress endpoint) {
        EndpointHealth h = gateway.health().find(endpoint);
        return h == null ? null : h.state();
    }

    /** Sends {@code n} requests one after another; returns counts by "status body". */
    private Map<String, Integer> send(int n) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(5)).build(), BodyHandlers.ofString());
            String key = r.statusCode() == 200 ? "200 " + r.body() : String.valueOf(r.statusCode());
            counts.merge(key, 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void aStoppedBackendIsEjectedAndTrafficReturnsWhenItComesBack() throws Exception {
        NamedBackend a = backend("a");
        NamedBackend b = backend("b");
        startGateway(new HealthCheckOptions(Duration.ofMillis(100), PROBE_TIMEOUT));
        serve(1, a.address(), b.address());

        await().atMost(Duration.ofSeconds(10)).until(() -> state(a.address()) == HealthState.HEALTHY
                && state(b.address()) == HealthState.HEALTHY);
        assertThat(send(20)).isEqualTo(Map.of("200 a", 10, "200 b", 10));

        long stopped = System.nanoTime();
        b.stop();
        // no request is sent meanwhile: only the probes can eject it (2 failed probes 100 ms apart)
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> state(b.address()) == HealthState.UNHEALTHY);
        System.out.printf("stopped backend ejected after %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped));
        assertThat(gateway.health().find(b.address()).verdict().lastFailure()).isEqualTo("connection refused");
        assertThat(send(40)).as("no 502 once ejected").isEqualTo(Map.of("200 a", 40));

        b.start();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> state(b.address()) == HealthState.HEALTHY);
        assertThat(send(20)).isEqualTo(Map.of("200 a", 10, "200 b", 10));
    }

    @Test
    void withActiveChecksOffFailedRequestsEjectTheEndpoint() throws Exception {
        NamedBackend a = backend("a");
        InetSocketAddress dead = new InetSocketAddress("127.0.0.1", freePort());
        startGateway(null); // passive only, as --health-check-interval 0
        serve(1, a.address(), dead);

        Map<String, Integer> first = send(10);
        assertThat(first.get("502")).as("3 failed requests eject the dead endpoint").isEqualTo(3);
        assertThat(first.get("200 a")).isEqualTo(7);
        EndpointHealth h = gateway.health().find(dead);
        assertThat(h.state()).isEqualTo(HealthState.UNHEALTHY);
        assertThat(h.verdict().lastFailure()).isEqualTo("connection refused");
        assertThat(h.verdict().timedEjection()).as("nothing probes, so the ejection ends by itself").isTrue();
        assertThat(send(20)).isEqualTo(Map.of("200 a", 20));
        assertThat(gateway.health().find(a.address()).state()).isEqualTo(HealthState.UNKNOWN);
    }

    @Test
    void connectionsClosedBeforeTheResponseHeadCountAsPassiveFailures() throws Exception {
        NamedBackend a = backend("a");
        EventLoopGroup hangUpGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        closeLater.add(() -> hangUpGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
        // accepts, then hangs up before answering: TCP probes would call it healthy, requests cannot
        Channel hangUp = new ServerBootstrap().group(hangUpGroup).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.close();
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
        closeLater.add(() -> hangUp.close().syncUninterruptibly());
        InetSocketAddress broken = (InetSocketAddress) hangUp.localAddress();
        startGateway(null);
        serve(1, a.address(), broken);

        Map<String, Integer> first = send(10);
        assertThat(first.get("502")).isEqualTo(3);
        EndpointHealth h = gateway.health().find(broken);
        assertThat(h.state()).isEqualTo(HealthState.UNHEALTHY);
        assertThat(h.verdict().lastFailure()).isIn("connection closed before response", "connection reset");
        assertThat(send(10)).isEqualTo(Map.of("200 a", 10));
    }

    @Test
    void healthSurvivesAReloadAndRemovedEndpointsLeaveTheRegistry() throws Exception {
        NamedBackend a = backend("a");
        NamedBackend b = backend("b");
        startGateway(new HealthCheckOptions(Duration.ofMillis(100), PROBE_TIMEOUT));
        RoundRobinCluster first = serve(1, a.address(), b.address());
        b.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> state(b.address()) == HealthState.UNHEALTHY);

        NamedBackend c = backend("c");
        RoundRobinCluster second = serve(2, a.address(), b.address(), c.address());
        assertThat(second).isNotSameAs(first);
        assertThat(state(b.address())).as("kept across the reload").isEqualTo(HealthState.UNHEALTHY);
        await().atMost(Duration.ofSeconds(10)).until(() -> state(c.address()) == HealthState.HEALTHY);
        assertThat(send(30)).isEqualTo(Map.of("200 a", 15, "200 c", 15));

        serve(3, a.address());
        assertThat(gateway.health().find(b.address())).isNull();
        assertThat(gateway.health().find(c.address())).isNull();
        assertThat(gateway.health().size()).isEqualTo(1);
        // c stays up but is no longer probed: no more connections reach it
        Thread.sleep(150); // a probe already in flight may still land
        int before = c.connections.get();
        Thread.sleep(400);
        assertThat(c.connections.get()).isEqualTo(before);
        assertThat(send(5)).isEqualTo(Map.of("200 a", 5));
    }

    @Test
    void endpointsOfAClusterNoRequestReachedAreProbedAtTheNoTrafficIntervalUntilOneDoes() throws Exception {
        NamedBackend a = backend("a");
        NamedBackend b = backend("b");
        startGateway(new HealthCheckOptions(Duration.ofMillis(50), PROBE_TIMEOUT, Duration.ofSeconds(30)));
        serve(1, a.address(), b.address());
        // the first probe still comes within one interval
        await().atMost(Duration.ofSeconds(10)).until(() -> state(a.address()) == HealthState.HEALTHY
                && state(b.address()) == HealthState.HEALTHY);
        Thread.sleep(500); // ten intervals
        assertThat(a.connections.get() + b.connections.get()).as("one probe each, then the 30 s interval").isEqualTo(2);
        assertThat(gateway.health().find(a.address()).routedTo()).isFalse();

        assertThat(send(1)).isEqualTo(Map.of("200 a", 1));
        // b got no request, but its cluster did: both back to every 50 ms
        assertThat(gateway.health().find(b.address()).routedTo()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.connections.get() >= 6 && a.connections.get() >= 7);
    }

    static int freePort() throws IOException {
        return dev.gatehouse.testing.FreePorts.tcp();
    }
}
