package dev.gatehouse.e2e;

import dev.gatehouse.ir.ActiveHealthCheckSpec;
import dev.gatehouse.ir.BackendProtocol;
import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.proxy.health.HealthCheckOptions;
import dev.gatehouse.proxy.health.HealthChecker;
import dev.gatehouse.routing.balance.EndpointHealth;
import dev.gatehouse.routing.balance.EndpointHealthRegistry;
import dev.gatehouse.routing.balance.HealthState;
import dev.gatehouse.routing.balance.RoundRobinCluster;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gateway's GRPC health check (hand-encoded grpc.health.v1 over h2c) against grpc-java's own health service,
 * {@link HealthStatusManager}: SERVING, NOT_SERVING and an unknown service as a real gRPC server answers them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrpcHealthCheckInteropTest {
    private final HealthStatusManager health = new HealthStatusManager();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EndpointHealthRegistry registry = new EndpointHealthRegistry(HealthCheckOptions.disabled().policy());
    private final HealthChecker checker = new HealthChecker(group, NioSocketChannel.class, registry,
            HealthCheckOptions.disabled());
    private Server server;

    @AfterEach
    void tearDown() throws Exception {
        checker.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void theCheckFollowsGrpcJavasHealthService() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(health.getHealthService()).build().start();
        health.setStatus("echo.v1.Echo", ServingStatus.SERVING);
        ClusterSpec spec = new ClusterSpec("default/grpc:50051@default/checks",
                List.of(new ClusterSpec.EndpointSpec("127.0.0.1", server.getPort())),
                ClusterSpec.LoadBalancerType.ROUND_ROBIN, BackendProtocol.HTTP_2, null)
                .withTraffic(new BackendTrafficSpec("default/checks", null, new ActiveHealthCheckSpec(
                        ActiveHealthCheckSpec.Type.GRPC, Duration.ofSeconds(2), Duration.ofMillis(100), null, 1, 1,
                        null, "echo.v1.Echo", null), null, null, null, null, null));
        RoundRobinCluster cluster = RoundRobinCluster.compile(spec, registry);
        registry.retain(List.of(cluster));
        checker.sync(new RuntimeSnapshot(new Snapshot(1, List.of(), List.of(spec)), Map.of(),
                Map.of(spec.name(), cluster)));
        EndpointHealth h = registry.find(new InetSocketAddress("127.0.0.1", server.getPort()));

        await().atMost(Duration.ofSeconds(10)).until(() -> h.state() == HealthState.HEALTHY);
        health.setStatus("echo.v1.Echo", ServingStatus.NOT_SERVING);
        await().atMost(Duration.ofSeconds(10)).until(() -> h.state() == HealthState.UNHEALTHY);
        assertThat(h.verdict().lastFailure()).isEqualTo("NOT_SERVING");
        health.setStatus("echo.v1.Echo", ServingStatus.SERVING);
        await().atMost(Duration.ofSeconds(10)).until(() -> h.state() == HealthState.HEALTHY);
        health.clearStatus("echo.v1.Echo");
        await().atMost(Duration.ofSeconds(10)).until(() -> h.state() == HealthState.UNHEALTHY);
        assertThat(h.verdict().lastFailure()).as("NOT_FOUND for a service the server does not know")
                .isEqualTo("grpc-status 5");
    }
}
