package dev.gatehouse.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.edge.pool.EdgeNode;
import dev.gatehouse.edge.pool.NodeSet;
import dev.gatehouse.edge.pool.StaticNodeSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The edge on loopback in front of recording nodes at 127.0.0.1-3 (one node port, as a NodePort is). */
class EdgeServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private List<RecordingNode> nodes(int count, boolean proxyProtocol) throws Exception {
        List<RecordingNode> nodes = new ArrayList<>();
        RecordingNode first = new RecordingNode(new InetSocketAddress("127.0.0.1", 0), proxyProtocol);
        closing.add(first);
        nodes.add(first);
        for (int i = 2; i <= count; i++) {
            RecordingNode n = new RecordingNode(new InetSocketAddress("127.0.0." + i, first.port()), proxyProtocol);
            closing.add(n);
            nodes.add(n);
        }
        return nodes;
    }

    private static int freePort() throws IOException {
        return dev.gatehouse.testing.FreePorts.tcp();
    }

    /** The transport every test here runs on (auto: io_uring where the kernel allows it); a subclass picks another. */
    EdgeOptions.Transport transport() {
        return EdgeOptions.Transport.AUTO;
    }

    EdgeOptions options(int listenPort, EdgeOptions.Balance balance, EdgeOptions.ProxyProtocol pp,
                        EdgeOptions.HealthCheck check, Duration idle) {
        return new EdgeOptions(List.of(new InetSocketAddress("127.0.0.1", listenPort)), List.of(), Map.of(), null,
                null, null, EdgeOptions.NodeAddress.INTERNAL, balance, pp, check, idle, Duration.ofSeconds(2), false,
                List.of(), false, false, new InetSocketAddress("127.0.0.1", 0), transport());
    }

    private static EdgeOptions.HealthCheck tcpCheck(Duration interval) {
        return new EdgeOptions.HealthCheck(null, 0, interval, Duration.ofMillis(500), 1, 2);
    }

    private EdgeServer edge(EdgeOptions options, int nodePort, String... addresses) throws Exception {
        List<EdgeNode> list = new ArrayList<>();
        for (String a : addresses) {
            list.add(new EdgeNode(a, a));
        }
        EdgeServer edge = EdgeServer.start(options, new StaticNodeSource(new NodeSet(list,
                Map.of(options.listen().get(0).getPort(), nodePort))));
        closing.add(edge);
        return edge;
    }

    /** Sends {@code payload}, half-closes, and reads everything until the edge closes. */
    private static String exchange(int port, String payload) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(payload.getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static JsonNode get(EdgeServer edge, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + edge.adminAddress().getPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private static HttpResponse<String> admin(EdgeServer edge, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + edge.adminAddress().getPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void roundRobinSpreadsConnectionsAndEachNodeSeesTheClientInAProxyV2Header() throws Exception {
        List<RecordingNode> nodes = nodes(3, true);
        int port = freePort();
        EdgeServer edge = edge(options(port, EdgeOptions.Balance.ROUND_ROBIN, EdgeOptions.ProxyProtocol.V2,
                tcpCheck(Duration.ofHours(1)), Duration.ofHours(1)), nodes.get(0).port(),
                "127.0.0.1", "127.0.0.2", "127.0.0.3");
        List<Integer> clientPorts = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                clientPorts.add(s.getLocalPort());
                s.getOutputStream().write(("hello " + i).getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("hello " + i + "|eof");
            }
        }
        List<String> all = new ArrayList<>();
        for (RecordingNode n : nodes) {
            assertThat(n.sources).hasSize(3);
            all.addAll(n.sources);
        }
        assertThat(all).containsExactlyInAnyOrderElementsOf(clientPorts.stream().map(p -> "PROXY 127.0.0.1:" + p)
                .toList());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(admin(edge, "/metrics").body())
                .contains("gatehouse_edge_connections_total{node=\"127.0.0.2\"} 3.0")
                .contains("gatehouse_edge_bytes_total{direction=\"from_node\",node=\"127.0.0.1\"} 33.0"));
    }

    @Test
    void v1HeaderAndNoHeaderAtAll() throws Exception {
        List<RecordingNode> v1 = nodes(1, true);
        int port = freePort();
        edge(options(port, EdgeOptions.Balance.LEAST_CONNECTIONS, EdgeOptions.ProxyProtocol.V1,
                tcpCheck(Duration.ofHours(1)), Duration.ofHours(1)), v1.get(0).port(), "127.0.0.1");
        assertThat(exchange(port, "x")).isEqualTo("x|eof");
        assertThat(v1.get(0).sources).singleElement().asString().startsWith("PROXY 127.0.0.1:");

        RecordingNode plain = new RecordingNode(new InetSocketAddress("127.0.0.5", 0), false);
        closing.add(plain);
        int port2 = freePort();
        edge(options(port2, EdgeOptions.Balance.LEAST_CONNECTIONS, EdgeOptions.ProxyProtocol.OFF,
                tcpCheck(Duration.ofHours(1)), Duration.ofHours(1)), plain.port(), "127.0.0.5");
        // without a header the node's first bytes are the client's
        assertThat(exchange(port2, "GET / HTTP/1.0\r\n\r\n")).isEqualTo("GET / HTTP/1.0\r\n\r\n|eof");
    }

    @Test
    void leastConnectionsSendsConcurrentClientsToDifferentNodes() throws Exception {
        List<RecordingNode> nodes = nodes(3, false);
        int port = freePort();
        EdgeServer edge = edge(options(port, EdgeOptions.Balance.LEAST_CONNECTIONS, EdgeOptions.ProxyProtocol.OFF,
                tcpCheck(Duration.ofHours(1)), Duration.ofHours(1)), nodes.get(0).port(),
                "127.0.0.1", "127.0.0.2", "127.0.0.3");
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket s = new Socket("127.0.0.1", port);
                open.add(s);
                s.setSoTimeout(10_000);
                // a round trip proves this connection reached its node before the next is opened
                s.getOutputStream().write('a');
                assertThat(s.getInputStream().read()).isEqualTo('a');
            }
            assertThat(nodes).allSatisfy(n -> assertThat(n.connections).hasValue(1));
            JsonNode list = get(edge, "/nodes").get("nodes");
            assertThat(list).allSatisfy(n -> assertThat(n.get("openConnections").asInt()).isEqualTo(1));
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void aFailedConnectIsRetriedOnAnotherNodeAndPassivelyEjectsTheDeadOne() throws Exception {
        List<RecordingNode> nodes = nodes(1, false);
        int port = freePort();
        // 127.0.0.9 has nothing listening: every connect there is refused; checks are too rare to notice
        EdgeServer edge = edge(options(port, EdgeOptions.Balance.ROUND_ROBIN, EdgeOptions.ProxyProtocol.OFF,
                tcpCheck(Duration.ofHours(1)), Duration.ofHours(1)), nodes.get(0).port(), "127.0.0.9", "127.0.0.1");
        for (int i = 0; i < 10; i++) {
            assertThat(exchange(port, "ping" + i)).isEqualTo("ping" + i + "|eof");
        }
        assertThat(nodes.get(0).connections).hasValue(10);
        JsonNode dead = get(edge, "/nodes").get("nodes").get(0);
        assertThat(dead.get("name").asText()).isEqualTo("127.0.0.9");
        assertThat(dead.get("health").asText()).isEqualTo("unhealthy");
        assertThat(dead.get("why").asText()).startsWith("connect failed");
        // two failures (the threshold) took it out; no client was sent there since
        assertThat(dead.get("connectFailures").asInt()).isEqualTo(2);
        assertThat(admin(edge, "/metrics").body()).contains("gatehouse_edge_connect_retries_total{node=\"127.0.0.9\"} 2.0");
        assertThat(admin(edge, "/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void aConnectPastTheConnectTimeoutIsGivenUpAndRetriedOnAnotherNode() throws Exception {
        List<RecordingNode> nodes = nodes(1, false);
        int nodePort = nodes.get(0).port();
        // 127.0.0.9 listens but never accepts: once its accept queue is full the kernel drops further SYNs, so a
        // connect there hangs until the edge's connect timeout (2 s) gives it up
        ServerSocket stalled = new ServerSocket();
        closing.add(stalled);
        stalled.bind(new InetSocketAddress("127.0.0.9", nodePort), 1);
        for (int i = 0; i < 16; i++) {
            Socket filler = new Socket();
            closing.add(filler);
            try {
                filler.connect(stalled.getLocalSocketAddress(), 500);
            } catch (java.net.SocketTimeoutException full) {
                break;
            }
        }
        int port = freePort();
        EdgeServer edge = edge(options(port, EdgeOptions.Balance.ROUND_ROBIN, EdgeOptions.ProxyProtocol.OFF,
                tcpCheck(Duration.ofHours(1)), Duration.ofHours(1)), nodePort, "127.0.0.9", "127.0.0.1");
        for (int i = 0; i < 2; i++) {
            assertThat(exchange(port, "ping" + i)).isEqualTo("ping" + i + "|eof");
        }
        JsonNode stalledNode = get(edge, "/nodes").get("nodes").get(0);
        assertThat(stalledNode.get("name").asText()).isEqualTo("127.0.0.9");
        assertThat(stalledNode.get("connectFailures").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(stalledNode.get("why").asText()).contains("connection timed out after 2000 ms");
        assertThat(admin(edge, "/metrics").body()).contains("gatehouse_edge_connect_retries_total{node=\"127.0.0.9\"}");
    }

    @Test
    void everyNodeDownRefusesTheClientAndReadyIsFalse() throws Exception {
        int port = freePort();
        EdgeServer edge = edge(options(port, EdgeOptions.Balance.ROUND_ROBIN, EdgeOptions.ProxyProtocol.OFF,
                tcpCheck(Duration.ofMillis(100)), Duration.ofHours(1)), freePort(), "127.0.0.9");
        assertThat(exchange(port, "x")).isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> r = admin(edge, "/ready");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("no healthy node");
        });
        assertThat(admin(edge, "/metrics").body()).contains("gatehouse_edge_connections_refused_total 1.0");
    }

    @Test
    void activeChecksTakeANodeOutAndBringItBack() throws Exception {
        List<RecordingNode> nodes = nodes(2, false);
        int port = freePort();
        int nodePort = nodes.get(0).port();
        EdgeServer edge = edge(options(port, EdgeOptions.Balance.ROUND_ROBIN, EdgeOptions.ProxyProtocol.OFF,
                tcpCheck(Duration.ofMillis(100)), Duration.ofHours(1)), nodePort, "127.0.0.1", "127.0.0.2");
        nodes.get(1).close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get(edge, "/nodes").get("nodes").get(1)
                .get("health").asText()).isEqualTo("unhealthy"));
        for (int i = 0; i < 4; i++) {
            assertThat(exchange(port, "a")).isEqualTo("a|eof");
        }
        assertThat(get(edge, "/nodes").get("nodes").get(1).get("connectFailures").asInt()).isZero();
        RecordingNode back = new RecordingNode(new InetSocketAddress("127.0.0.2", nodePort), false);
        closing.add(back);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get(edge, "/nodes").get("nodes").get(1)
                .get("health").asText()).isEqualTo("healthy"));
        for (int i = 0; i < 4; i++) {
            assertThat(exchange(port, "b")).isEqualTo("b|eof");
        }
        assertThat(back.connections.get()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void httpChecksAskThePathAndWantA2xx() throws Exception {
        List<RecordingNode> nodes = nodes(1, false);
        com.sun.net.httpserver.HttpServer ready = com.sun.net.httpserver.HttpServer.create(
                new InetSocketAddress("127.0.0.1", 0), 0);
        int[] status = {200};
        ready.createContext("/ready", x -> {
            x.sendResponseHeaders(status[0], -1);
            x.close();
        });
        ready.start();
        closing.add(() -> ready.stop(0));
        int port = freePort();
        EdgeServer edge = edge(options(port, EdgeOptions.Balance.ROUND_ROBIN, EdgeOptions.ProxyProtocol.V2,
                new EdgeOptions.HealthCheck("/ready", ready.getAddress().getPort(), Duration.ofMillis(100),
                        Duration.ofMillis(500), 1, 1), Duration.ofHours(1)), nodes.get(0).port(), "127.0.0.1");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get(edge, "/nodes").get("nodes").get(0)
                .get("why").asText()).isEqualTo("GET /ready: 200"));
        status[0] = 503;
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode n = get(edge, "/nodes").get("nodes").get(0);
            assertThat(n.get("health").asText()).isEqualTo("unhealthy");
            assertThat(n.get("why").asText()).isEqualTo("GET /ready: 503");
        });
    }

    @Test
    void httpChecksThroughTheRelayedPortSendAProxyLocalHeaderFirst() throws Exception {
        List<RecordingNode> nodes = nodes(1, true);
        int port = freePort();
        edge(options(port, EdgeOptions.Balance.ROUND_ROBIN, EdgeOptions.ProxyProtocol.V2,
                new EdgeOptions.HealthCheck("/ready", 0, Duration.ofMillis(100), Duration.ofMillis(500), 1, 1),
                Duration.ofHours(1)), nodes.get(0).port(), "127.0.0.1");
        await().atMost(Duration.ofSeconds(10)).until(() -> !nodes.get(0).sources.isEmpty());
        assertThat(nodes.get(0).sources.get(0)).startsWith("LOCAL");
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        List<RecordingNode> nodes = nodes(1, false);
        int port = freePort();
        edge(options(port, EdgeOptions.Balance.ROUND_ROBIN, EdgeOptions.ProxyProtocol.OFF,
                tcpCheck(Duration.ofHours(1)), Duration.ofMillis(300)), nodes.get(0).port(), "127.0.0.1");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write('z');
            assertThat(s.getInputStream().read()).isEqualTo('z');
            long start = System.nanoTime();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        }
    }

    @Test
    void megabytesBothWaysArriveIntactThroughTheBackPressure() throws Exception {
        List<RecordingNode> nodes = nodes(1, true);
        int port = freePort();
        edge(options(port, EdgeOptions.Balance.ROUND_ROBIN, EdgeOptions.ProxyProtocol.V2,
                tcpCheck(Duration.ofHours(1)), Duration.ofHours(1)), nodes.get(0).port(), "127.0.0.1");
        byte[] payload = new byte[8 * 1024 * 1024];
        new Random(42).nextBytes(payload);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    out.write(payload);
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            InputStream in = s.getInputStream();
            byte[] back = in.readAllBytes();
            writer.join();
            assertThat(back.length).isEqualTo(payload.length + 4);
            assertThat(java.util.Arrays.equals(back, 0, payload.length, payload, 0, payload.length)).isTrue();
        }
    }

    /**
     * An upload to a node that reads slowly, then the client's FIN: the node's side stops the client's reading
     * (back-pressure) and turns it on again when it drains, by then on a client whose input is shut.
     */
    @Test
    void anUploadThenHalfCloseToASlowNodeGetsTheWholeAnswer() throws Exception {
        RecordingNode slow = new RecordingNode(new InetSocketAddress("127.0.0.1", 0), false, 700);
        closing.add(slow);
        int port = freePort();
        edge(options(port, EdgeOptions.Balance.ROUND_ROBIN, EdgeOptions.ProxyProtocol.OFF,
                tcpCheck(Duration.ofHours(1)), Duration.ofHours(1)), slow.port(), "127.0.0.1");
        // more than the kernel's buffers hold, so that the node side becomes unwritable and pushes back
        byte[] payload = new byte[24 * 1024 * 1024];
        new Random(7).nextBytes(payload);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.getInputStream().readAllBytes();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            s.getOutputStream().write(payload);
            s.shutdownOutput();
            byte[] back = reader.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(back.length).isEqualTo(payload.length + 4);
        }
    }

    @Test
    void dashboardPageIsServed() throws Exception {
        List<RecordingNode> nodes = nodes(1, false);
        EdgeServer edge = edge(options(freePort(), EdgeOptions.Balance.ROUND_ROBIN, EdgeOptions.ProxyProtocol.OFF,
                tcpCheck(Duration.ofHours(1)), Duration.ofHours(1)), nodes.get(0).port(), "127.0.0.1");
        HttpResponse<String> page = admin(edge, "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("fetch('/nodes'");
        assertThat(admin(edge, "/nope").statusCode()).isEqualTo(404);
    }
}
