package dev.gatehouse.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * UDPRoute against the real jar: two UDP echo backends (Java DatagramSockets that answer "name:port:datagram",
 * port being the source port the gateway's session socket used) behind a v1 UDPRoute weighted 3:1, and a
 * v1alpha2 UDPRoute on a second port. A client's datagrams all go through one session (same backend, same
 * source port); new clients are spread by weight; a session idle past {@code --udp-session-idle-timeout} ends,
 * and the client's next datagram opens a new one.
 */
class UdpEndToEndTest {
    @TempDir
    static Path dir;

    static GatewayProcess gateway;
    static final List<DatagramSocket> backends = new ArrayList<>();
    static int weightedPort;
    static int alphaPort;
    static Path accessLog;

    @BeforeAll
    static void start() throws Exception {
        int a = echo("a");
        int b = echo("b");
        weightedPort = freeUdpPort();
        alphaPort = freeUdpPort();
        String config = Configs.gateway("""
                  - {name: dns, protocol: UDP, port: %d}
                  - {name: alpha, protocol: UDP, port: %d}
                """.formatted(weightedPort, alphaPort))
                + Configs.service("a", a)
                + Configs.service("b", b)
                + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: UDPRoute
                metadata: {name: weighted, namespace: default}
                spec:
                  parentRefs: [{name: edge, sectionName: dns}]
                  rules: [{backendRefs: [{name: a, port: 80, weight: 3}, {name: b, port: 80, weight: 1}]}]
                ---
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: UDPRoute
                metadata: {name: alpha, namespace: default}
                spec:
                  parentRefs: [{name: edge, sectionName: alpha}]
                  rules: [{backendRefs: [{name: b, port: 80}]}]
                """;
        Configs.write(dir.resolve("gateway.yaml"), config);
        accessLog = dir.resolve("access.log");
        gateway = GatewayProcess.start(dir, List.of("-Xmx256m"), List.of("--udp-session-idle-timeout", "2s",
                "--access-log", accessLog.toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        backends.forEach(DatagramSocket::close);
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A UDP echo backend answering each datagram with "name:sourcePort:" and the datagram. */
    private static int echo(String name) throws Exception {
        DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        backends.add(socket);
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65_535];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    byte[] reply = (name + ":" + p.getPort() + ":"
                            + new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1))
                            .getBytes(StandardCharsets.ISO_8859_1);
                    socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (Exception closed) {
                    return;
                }
            }
        }, "udp-echo-" + name);
        t.setDaemon(true);
        t.start();
        return socket.getLocalPort();
    }

    /** Sends one datagram and returns the answer split as [backend, session source port, datagram]. */
    private static String[] ask(DatagramSocket client, int port, String text) throws Exception {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        client.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
        client.setSoTimeout(10_000);
        byte[] buf = new byte[65_535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            client.receive(p);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer to a datagram on port " + port + " within 10 s", e);
        }
        return new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1).split(":", 3);
    }

    private static DatagramSocket client() throws Exception {
        return new DatagramSocket(0, InetAddress.getLoopbackAddress());
    }

    @Test
    void datagramsAreEchoedThroughAV1alpha2Route() throws Exception {
        try (DatagramSocket c = client()) {
            String[] answer = ask(c, alphaPort, "hello");
            assertThat(answer[0]).isEqualTo("b");
            assertThat(answer[2]).isEqualTo("hello");
            String big = "x".repeat(30_000);
            assertThat(ask(c, alphaPort, big)[2]).isEqualTo(big);
        }
    }

    @Test
    void eachClientStaysOnOneSessionAndNewClientsAreSpreadByWeight() throws Exception {
        Map<String, Integer> perBackend = new HashMap<>();
        Set<String> sessionPorts = new HashSet<>();
        List<DatagramSocket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                DatagramSocket c = client();
                clients.add(c);
                String[] first = ask(c, weightedPort, "first " + i);
                assertThat(first[2]).isEqualTo("first " + i);
                perBackend.merge(first[0], 1, Integer::sum);
                for (int k = 0; k < 3; k++) {
                    String[] next = ask(c, weightedPort, "next " + k);
                    // the same backend, reached from the same session socket
                    assertThat(next[0]).isEqualTo(first[0]);
                    assertThat(next[1]).isEqualTo(first[1]);
                }
                sessionPorts.add(first[1]);
            }
        } finally {
            clients.forEach(DatagramSocket::close);
        }
        // smooth weighted round robin over 3:1 repeats every 4 picks
        assertThat(perBackend).isEqualTo(Map.of("a", 6, "b", 2));
        assertThat(sessionPorts).as("one session socket per client").hasSize(8);
    }

    @Test
    void anIdleSessionExpiresAndTheNextDatagramOpensANewOne() throws Exception {
        try (DatagramSocket c = client()) {
            String[] first = ask(c, alphaPort, "one");
            assertThat(ask(c, alphaPort, "two")[1]).isEqualTo(first[1]);
            // --udp-session-idle-timeout 2s; generous slack for a busy machine
            Thread.sleep(6_000);
            String[] later = ask(c, alphaPort, "three");
            assertThat(later[2]).isEqualTo("three");
            assertThat(later[1]).as("a new session socket after the idle timeout").isNotEqualTo(first[1]);
            // the expired session's line: its client, route, backend, the bytes both ways and why it ended
            String client = "\"client\":\"127.0.0.1:" + c.getLocalPort() + "\"";
            String line = AccessLogLines.await(accessLog, client);
            assertThat(line).contains("\"protocol\":\"udp\"", "\"route\":\"default/alpha#0\"",
                    "\"backend\":\"default/b:80\"", "\"bytes_in\":6,", "\"close\":\"idle_timeout\"",
                    "\"failure\":null", "\"endpoint\":\"127.0.0.1:");
        }
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(gateway.admin("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("# HELP gatehouse_l4_sessions_total ",
                "gatehouse_l4_sessions_closed_total{port=\"" + alphaPort + "\",protocol=\"udp\",reason=\"idle_timeout\","
                        + "route=\"default/alpha#0\"}",
                "gatehouse_l4_received_bytes_total{backend=\"default/b:80\",port=\"" + alphaPort + "\",protocol=\"udp\"");
    }
}
