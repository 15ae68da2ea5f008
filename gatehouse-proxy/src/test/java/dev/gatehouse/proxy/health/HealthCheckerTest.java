package dev.gatehouse.proxy.health;

import dev.gatehouse.ir.ActiveHealthCheckSpec;
import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.balance.EndpointHealth;
import dev.gatehouse.routing.balance.EndpointHealthRegistry;
import dev.gatehouse.routing.balance.HealthState;
import dev.gatehouse.routing.balance.RoundRobinCluster;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The checker alone, on its own event loop, against loopback listeners. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HealthCheckerTest {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private final HealthCheckOptions options = new HealthCheckOptions(Duration.ofMillis(50), Duration.ofMillis(150));
    private final EndpointHealthRegistry registry = new EndpointHealthRegistry(options.policy());
    private final HealthChecker checker = new HealthChecker(group, NioSocketChannel.class, registry, options);
    /** Envoy's no_traffic_interval: endpoints of never-routed clusters probed every 30 s (once in a test's life). */
    private final HealthCheckOptions slowed = new HealthCheckOptions(Duration.ofMillis(50), Duration.ofMillis(500),
            Duration.ofSeconds(30));
    private final EndpointHealthRegistry slowRegistry = new EndpointHealthRegistry(slowed.policy());
    private final HealthChecker slowChecker = new HealthChecker(group, NioSocketChannel.class, slowRegistry, slowed);
    private final Map<String, Cluster> slowClusters = new LinkedHashMap<>();
    private final List<ClusterSpec> slowSpecs = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        checker.close();
        slowChecker.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        for (AutoCloseable c : closeLater) {
            c.close();
        }
    }

    private void serve(InetSocketAddress... endpoints) {
        List<ClusterSpec.EndpointSpec> specs = new ArrayList<>();
        for (InetSocketAddress a : endpoints) {
            specs.add(new ClusterSpec.EndpointSpec("127.0.0.1", a.getPort()));
        }
        ClusterSpec spec = new ClusterSpec("ns/svc:80", specs, ClusterSpec.LoadBalancerType.ROUND_ROBIN);
        RoundRobinCluster cluster = RoundRobinCluster.compile(spec, registry);
        registry.retain(List.of(cluster));
        checker.sync(new RuntimeSnapshot(new Snapshot(1, List.of(), List.of(spec)), Map.of(),
                Map.of(spec.name(), cluster)));
    }

    @Test
    void aListenerThatNeverAcceptsFailsWithAConnectTimeout() throws Exception {
        // backlog 1 and nobody accepting: once the queue is full the kernel drops further SYNs, so connects hang
        ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        closeLater.add(full);
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", full.getLocalPort());
        for (int i = 0; i < 3; i++) {
            Socket s = new Socket();
            closeLater.add(s);
            try {
                s.connect(address, 200);
            } catch (java.net.SocketTimeoutException queueAlreadyFull) {
                break;
            }
        }
        serve(address);
        EndpointHealth h = registry.find(address);
        await().atMost(Duration.ofSeconds(10)).until(() -> h.state() == HealthState.UNHEALTHY);
        assertThat(h.verdict().lastFailure()).isEqualTo("connect timeout");
    }

    @Test
    void proberStartAndStopFollowTheRegistry() throws Exception {
        ServerSocket a = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ServerSocket b = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closeLater.add(a);
        closeLater.add(b);
        InetSocketAddress aa = new InetSocketAddress("127.0.0.1", a.getLocalPort());
        InetSocketAddress bb = new InetSocketAddress("127.0.0.1", b.getLocalPort());
        serve(aa, bb);
        assertThat(checker.probing()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.find(aa).state() == HealthState.HEALTHY
                && registry.find(bb).state() == HealthState.HEALTHY);
        serve(aa);
        assertThat(checker.probing()).isEqualTo(1);
        assertThat(registry.find(bb)).isNull();
        checker.close();
        assertThat(checker.probing()).isZero();
    }

    @Test
    void clustersAskingForDifferentChecksOfOneAddressGetTheFirstClustersByName() throws Exception {
        ServerSocket a = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closeLater.add(a);
        List<ClusterSpec.EndpointSpec> endpoint = List.of(new ClusterSpec.EndpointSpec("127.0.0.1", a.getLocalPort()));
        ActiveHealthCheckSpec tcp = new ActiveHealthCheckSpec(ActiveHealthCheckSpec.Type.TCP, null, null, null, 0, 0,
                null, null, null);
        ActiveHealthCheckSpec http = new ActiveHealthCheckSpec(ActiveHealthCheckSpec.Type.HTTP, null, null, null, 0, 0,
                new ActiveHealthCheckSpec.HttpCheck("/ready", "HEAD", null, List.of(), null, null), null, null);
        ClusterSpec second = new ClusterSpec("ns/b:80@ns/p", endpoint, ClusterSpec.LoadBalancerType.ROUND_ROBIN)
                .withTraffic(new BackendTrafficSpec("ns/p", null, http, null, null, null, null, null));
        ClusterSpec first = new ClusterSpec("ns/a:80@ns/q", endpoint, ClusterSpec.LoadBalancerType.ROUND_ROBIN)
                .withTraffic(new BackendTrafficSpec("ns/q", null, tcp, null, null, null, null, null));
        ClusterSpec plain = new ClusterSpec("ns/0:80", endpoint, ClusterSpec.LoadBalancerType.ROUND_ROBIN);
        Map<String, Cluster> clusters = new java.util.HashMap<>();
        for (ClusterSpec spec : List.of(second, first, plain)) {
            clusters.put(spec.name(), RoundRobinCluster.compile(spec, registry));
        }
        registry.retain(clusters.values());
        checker.sync(new RuntimeSnapshot(new Snapshot(1, List.of(), List.of(second, first, plain)), Map.of(),
                clusters));
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", a.getLocalPort());
        assertThat(checker.checkOf(address)).as("a policy's check beats the CLI's; among policies, ns/a's").isEqualTo("TCP");
        assertThat(checker.probing()).isEqualTo(1);

        checker.sync(new RuntimeSnapshot(new Snapshot(2, List.of(), List.of(second)), Map.of(),
                Map.of(second.name(), clusters.get(second.name()))));
        assertThat(checker.checkOf(address)).as("restarted with the remaining cluster's check").isEqualTo("HTTP HEAD /ready");
    }

    /** A loopback listener that counts the connections it accepts (each probe is one). */
    private static final class CountingListener implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger accepted = new AtomicInteger();

        CountingListener() throws IOException {
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        accepted.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "probe-counter");
            t.setDaemon(true);
            t.start();
        }

        InetSocketAddress address() {
            return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private CountingListener listener() throws IOException {
        CountingListener l = new CountingListener();
        closeLater.add(l);
        return l;
    }

    private void cluster(String name, ActiveHealthCheckSpec check, CountingListener... endpoints) {
        List<ClusterSpec.EndpointSpec> eps = new ArrayList<>();
        for (CountingListener l : endpoints) {
            eps.add(new ClusterSpec.EndpointSpec("127.0.0.1", l.address().getPort()));
        }
        ClusterSpec spec = new ClusterSpec(name, eps, ClusterSpec.LoadBalancerType.ROUND_ROBIN);
        if (check != null) {
            spec = spec.withTraffic(new BackendTrafficSpec("ns/p", null, check, null, null, null, null, null));
        }
        slowSpecs.removeIf(s -> s.name().equals(name));
        slowSpecs.add(spec);
        slowClusters.put(name, RoundRobinCluster.compile(spec, slowRegistry));
    }

    private void syncSlowed() {
        slowRegistry.retain(slowClusters.values());
        slowChecker.sync(new RuntimeSnapshot(new Snapshot(1, List.of(), List.copyOf(slowSpecs)), Map.of(),
                Map.copyOf(slowClusters)));
    }

    @Test
    void anUnusedClustersEndpointIsProbedOnceUntilARequestIsRoutedToItsCluster() throws Exception {
        CountingListener used = listener();
        CountingListener idle = listener();
        cluster("ns/used:80", null, used);
        cluster("ns/idle:80", null, idle);
        syncSlowed();
        // the first probe comes within one interval, so a new endpoint gets its verdict as quickly as before
        await().atMost(Duration.ofSeconds(10)).until(() -> used.accepted.get() == 1 && idle.accepted.get() == 1);
        Thread.sleep(500); // ten normal intervals
        assertThat(used.accepted).as("no request yet: the no-traffic interval").hasValue(1);

        assertThat(slowClusters.get("ns/used:80").pick()).isEqualTo(used.address());
        await().atMost(Duration.ofSeconds(10)).until(() -> used.accepted.get() >= 6);
        assertThat(idle.accepted).as("its cluster still never routed to").hasValue(1);
        assertThat(slowRegistry.find(used.address()).routedTo()).isTrue();
        assertThat(slowRegistry.find(idle.address()).routedTo()).isFalse();
    }

    @Test
    void aClusterRebuiltWithANewEndpointKeepsItsTraffic() throws Exception {
        CountingListener first = listener();
        CountingListener added = listener();
        cluster("ns/svc:80", null, first);
        syncSlowed();
        slowClusters.get("ns/svc:80").pick();
        cluster("ns/svc:80", null, first, added); // a new instance: its endpoints changed
        syncSlowed();
        assertThat(slowClusters.get("ns/svc:80").routedTo()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> added.accepted.get() >= 5 && first.accepted.get() >= 5);
    }

    @Test
    void aPolicysOwnCheckKeepsItsIntervalWithoutTraffic() throws Exception {
        CountingListener endpoint = listener();
        cluster("ns/svc:80@ns/p", new ActiveHealthCheckSpec(ActiveHealthCheckSpec.Type.TCP, Duration.ofMillis(500),
                Duration.ofMillis(50), null, 0, 0, null, null, null), endpoint);
        syncSlowed();
        await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.accepted.get() >= 5);
    }

    @Test
    void theTwoArgumentOptionsAndAnIntervalNotBelowItTurnItOff() {
        assertThat(new HealthCheckOptions(Duration.ofMillis(50), Duration.ofMillis(50)).slowsUnused()).isFalse();
        assertThat(new HealthCheckOptions(Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofSeconds(60))
                .slowsUnused()).isFalse();
        assertThat(HealthCheckOptions.defaults().slowsUnused()).isTrue();
    }
}
