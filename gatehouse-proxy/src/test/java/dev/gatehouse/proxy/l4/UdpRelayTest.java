package dev.gatehouse.proxy.l4;

import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.L4RouteSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.ClusterSpec.LoadBalancerType;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.L4Log;
import dev.gatehouse.proxy.observe.Observability;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.proxy.server.ServerOptions;
import dev.gatehouse.routing.runtime.SnapshotCompiler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A UDP port of a real {@link GatewayServer} relaying to two echo backends (Java DatagramSockets that prefix their
 * name), under the leak detector: echo, large datagrams, per-client stickiness, weights, idle expiry, the session
 * limit, and the observer's one open and one close per session.
 */
@Timeout(60)
class UdpRelayTest {
    private final List<EchoServer> backends = new ArrayList<>();
    private final List<L4Log> closed = new CopyOnWriteArrayList<>();
    private final AtomicInteger opened = new AtomicInteger();
    private final Map<String, AtomicInteger> dropped = new ConcurrentHashMap<>();
    private GatewayServer server;
    private int port;

    @BeforeEach
    void backends() throws Exception {
        backends.add(new EchoServer("a"));
        backends.add(new EchoServer("b"));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        backends.forEach(EchoServer::close);
    }

    private void start(int weightA, int weightB, UdpSettings settings) throws Exception {
        ExchangeObserver observer = new ExchangeObserver() {
            @Override
            public void l4Opened(L4Log log) {
                opened.incrementAndGet();
            }

            @Override
            public void l4Closed(L4Log log) {
                closed.add(log);
            }

            @Override
            public void udpDatagramDropped(int p, String reason) {
                dropped.computeIfAbsent(reason, r -> new AtomicInteger()).incrementAndGet();
            }
        };
        ServerOptions options = new ServerOptions("127.0.0.1", 1, Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(1), Duration.ofSeconds(5), 8192, 4096);
        server = new GatewayServer(options, new Observability(false, false, false, observer));
        server.udpSettings(settings);
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        RouteRef route = new RouteRef("UDPRoute", "default", "dns", 0, null, 0);
        L4RouteSpec rule = new L4RouteSpec(route, null, List.of(new BackendRefSpec("default/a:53", weightA, List.of(), null),
                new BackendRefSpec("default/b:53", weightB, List.of(), null)));
        Snapshot snapshot = new Snapshot(1, List.of(new PortSpec(port, Protocol.UDP, List.of(
                new ListenerSpec("default/edge", "udp", null, null, List.of(), List.of(rule))))),
                List.of(cluster("default/a:53", backends.get(0)), cluster("default/b:53", backends.get(1))));
        server.apply(new SnapshotCompiler(server.health()).compile(snapshot, null));
        assertThat(server.boundPorts()).containsExactly(port);
    }

    private static ClusterSpec cluster(String name, EchoServer backend) {
        return new ClusterSpec(name, List.of(new ClusterSpec.EndpointSpec("127.0.0.1", backend.port())),
                LoadBalancerType.ROUND_ROBIN);
    }

    @Test
    void echoesEveryDatagramOfAClientThroughOneBackend() throws Exception {
        start(1, 1, UdpSettings.defaults());
        try (Client c = new Client()) {
            String first = c.ask("hello 0");
            assertThat(first).endsWith(":hello 0");
            String backend = first.substring(0, 1);
            for (int i = 1; i < 20; i++) {
                assertThat(c.ask("hello " + i)).isEqualTo(backend + ":hello " + i);
            }
            byte[] big = new byte[60_000];
            Arrays.fill(big, (byte) 'x');
            assertThat(c.ask(new String(big, StandardCharsets.US_ASCII))).hasSize(60_002);
        }
        assertThat(opened.get()).isEqualTo(1);
    }

    @Test
    void newClientsAreSpreadByWeight() throws Exception {
        start(3, 1, UdpSettings.defaults());
        Map<String, Integer> perBackend = new ConcurrentHashMap<>();
        List<Client> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                Client c = new Client();
                clients.add(c);
                perBackend.merge(c.ask("hi").substring(0, 1), 1, Integer::sum);
            }
            // each client stays where it went first
            for (Client c : clients) {
                String again = c.ask("again");
                assertThat(again).endsWith(":again");
            }
        } finally {
            clients.forEach(Client::close);
        }
        assertThat(perBackend).isEqualTo(Map.of("a", 6, "b", 2));
        assertThat(opened.get()).isEqualTo(8);
    }

    @Test
    void anIdleSessionExpiresAndTheNextDatagramOpensANewOne() throws Exception {
        start(1, 1, new UdpSettings(Duration.ofMillis(300), 100));
        try (Client c = new Client()) {
            String first = c.ask("one").substring(0, 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (closed.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(closed).hasSize(1);
            L4Log log = closed.get(0);
            assertThat(log.closeReason()).isEqualTo(L4Log.CloseReason.IDLE_TIMEOUT);
            assertThat(log.bytesIn()).isEqualTo(3);
            assertThat(log.bytesOut()).isEqualTo(5);
            assertThat(log.backend()).isEqualTo("default/" + first + ":53");
            assertThat(log.route().name()).isEqualTo("dns");
            // round robin: the new session of the same client goes to the other backend
            String second = c.ask("two").substring(0, 1);
            assertThat(second).isNotEqualTo(first);
        }
        assertThat(opened.get()).isEqualTo(2);
    }

    @Test
    void datagramsBeyondTheSessionLimitAreDroppedAndCounted() throws Exception {
        start(1, 1, new UdpSettings(Duration.ofSeconds(60), 1));
        try (Client one = new Client(); Client two = new Client()) {
            assertThat(one.ask("first")).endsWith(":first");
            two.send("refused");
            assertThat(two.receive(500)).isNull();
            assertThat(dropped.get("session_limit")).hasValue(1);
            assertThat(one.ask("still")).endsWith(":still");
        }
    }

    @Test
    void closingThePortEndsItsSessions() throws Exception {
        start(1, 1, UdpSettings.defaults());
        try (Client c = new Client()) {
            c.ask("x");
        }
        server.close();
        server = null;
        assertThat(closed).hasSize(1);
        assertThat(closed.get(0).closeReason()).isEqualTo(L4Log.CloseReason.LISTENER_CLOSED);
    }

    /** A client socket talking to the gateway's UDP port. */
    private final class Client implements AutoCloseable {
        private final DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());

        Client() throws Exception {
        }

        String ask(String text) throws Exception {
            send(text);
            String answer = receive(10_000);
            assertThat(answer).as("answer to %s", text.length() > 20 ? text.substring(0, 20) : text).isNotNull();
            return answer;
        }

        void send(String text) throws Exception {
            byte[] b = text.getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
        }

        String receive(int timeoutMillis) throws Exception {
            socket.setSoTimeout(timeoutMillis);
            byte[] buf = new byte[65_535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (java.net.SocketTimeoutException none) {
                return null;
            }
            return new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII);
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** Answers each datagram with "name:" and the datagram, to its sender. */
    static final class EchoServer implements AutoCloseable {
        private final DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        private final Thread thread;

        EchoServer(String name) throws Exception {
            byte[] prefix = (name + ":").getBytes(StandardCharsets.US_ASCII);
            thread = new Thread(() -> {
                byte[] buf = new byte[65_535];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, prefix.length, buf.length - prefix.length);
                        socket.receive(p);
                        System.arraycopy(prefix, 0, buf, 0, prefix.length);
                        socket.send(new DatagramPacket(buf, 0, prefix.length + p.getLength(), p.getSocketAddress()));
                    } catch (Exception closed) {
                        return;
                    }
                }
            }, "udp-echo-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
