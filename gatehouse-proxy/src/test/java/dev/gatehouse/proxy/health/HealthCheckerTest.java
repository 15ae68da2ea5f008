package dev.gatehouse.proxy.health;

import dev.gatehouse.ir.ActiveHealthCheckSpec;
import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
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

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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

    @AfterEach
    void tearDown() throws Exception {
        checker.close();
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
        Map<String, dev.gatehouse.routing.balance.Cluster> clusters = new java.util.HashMap<>();
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
}
