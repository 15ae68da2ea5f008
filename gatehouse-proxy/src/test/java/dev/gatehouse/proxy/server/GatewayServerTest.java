package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.proxy.testing.TestRouting;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class GatewayServerTest {

    static ServerOptions options() {
        return new ServerOptions("127.0.0.1", 1, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(1),
                Duration.ofSeconds(5), 8192, 4096);
    }

    @Test
    void reconcilesPortsWithEachSnapshot() throws Exception {
        int a = ProxyIntegrationTest.freePort();
        int b = ProxyIntegrationTest.freePort();
        try (GatewayServer server = new GatewayServer(options())) {
            assertThat(server.snapshots().current().generation()).isZero();
            RuntimeSnapshot first = TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(a, new TestRouter()));
            server.apply(first);
            assertThat(server.snapshots().current()).isSameAs(first);
            assertThat(server.boundPorts()).containsExactly(a);
            try (Socket kept = new Socket("127.0.0.1", a)) {
                server.apply(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(b, new TestRouter())));
                assertThat(server.boundPorts()).containsExactly(b);
                assertThat(kept.isConnected()).isTrue();
                assertThatThrownBy(() -> new Socket("127.0.0.1", a).close()).isInstanceOf(ConnectException.class);
                new Socket("127.0.0.1", b).close();
            }
        }
    }

    @Test
    void bindsAUdpPortAsADatagramSocketAndRebindsWhenItTurnsTcp() throws Exception {
        int a = freePortQuiet();
        try (GatewayServer server = new GatewayServer(options())) {
            server.apply(new RuntimeSnapshot(new Snapshot(2, List.of(new PortSpec(a, Protocol.UDP, List.of())),
                    List.of()), Map.of()));
            assertThat(server.boundPorts()).containsExactly(a);
            assertThat(server.unboundPorts()).isEmpty();
            assertThatThrownBy(() -> new java.net.DatagramSocket(a, java.net.InetAddress.getByName("127.0.0.1")))
                    .isInstanceOf(java.net.BindException.class);
            server.apply(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(a, new TestRouter())));
            assertThat(server.boundPorts()).containsExactly(a);
            new Socket("127.0.0.1", a).close();
            new java.net.DatagramSocket(a, java.net.InetAddress.getByName("127.0.0.1")).close();
        }
    }

    @Test
    void aTakenPortIsReportedAndRetriedWhileTheOthersServe() throws Exception {
        int free = ProxyIntegrationTest.freePort();
        ServerSocket taken = new ServerSocket();
        taken.bind(new InetSocketAddress("127.0.0.1", 0));
        int port = taken.getLocalPort();
        try (GatewayServer server = new GatewayServer(options())) {
            RuntimeSnapshot s = TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(port, new TestRouter(),
                    free, new TestRouter()));
            server.apply(s);
            assertThat(server.snapshots().current()).isSameAs(s);
            assertThat(server.boundPorts()).containsExactly(free);
            GatewayServer.Unbound why = server.unboundPorts().get(port);
            assertThat(why.reason()).isEqualTo("port " + port + " on 127.0.0.1: Address already in use");
            assertThat(why.retrying()).isTrue();
            new Socket("127.0.0.1", free).close();

            taken.close();
            long deadline = System.nanoTime() + GatewayServer.BIND_RETRY_INTERVAL.multipliedBy(5).toNanos();
            while (!server.boundPorts().contains(port) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(server.boundPorts()).containsExactlyInAnyOrder(free, port);
            assertThat(server.unboundPorts()).isEmpty();
            new Socket("127.0.0.1", port).close();
        } finally {
            taken.close();
        }
    }

    private static int freePortQuiet() {
        try {
            return ProxyIntegrationTest.freePort();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
