package dev.gatehouse.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15's first "Done means": real separate hosts as Linux network namespaces on one bridge (addresses from
 * 198.18.0.0/15): a client, the edge ({@code gatehouse edge}) and three nodes, each node a real gatehouse with a
 * listener on 30080 (the NodePort) that trusts PROXY headers from the edge's address only (ClientTrafficPolicy
 * {@code proxyProtocol.trustedCIDRs}), in front of a recording backend (in this JVM, on the bridge). A bounded curl
 * loop from the client runs while one node is taken down (its link set down, its process killed): after the
 * detection window not one connection fails; the node comes back and takes traffic again; the backend sees the
 * client's own address in X-Forwarded-For, carried by PROXY protocol through edge and node.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class EdgeNamespacesEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** health checks every 300 ms, out after 2 failures of at most 300 ms each: detected within ~1.2 s */
    private static final Duration DETECTION_WINDOW = Duration.ofSeconds(3);

    @TempDir
    static Path dir;

    static String tag;
    static String net;
    static String bridge;
    static final List<String> namespaces = new ArrayList<>();
    static final Map<String, Process> processes = new ConcurrentHashMap<>();
    static HttpServer backend;
    /** what the backend saw: "path remoteIp xForwardedFor" */
    static final List<String[]> seen = new CopyOnWriteArrayList<>();
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void network() throws Exception {
        tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        String probe = "ghp" + tag;
        Result r;
        try {
            r = run("ip", "netns", "add", probe);
        } catch (IOException e) {
            r = new Result(-1, "the ip command (iproute2) is missing: " + e.getMessage());
        }
        Assumptions.assumeTrue(r.code == 0, "network namespaces are not allowed here (ip netns add: " + r.out.strip()
                + "); this test needs root and a kernel that permits them");
        run("ip", "netns", "del", probe);
        net = "198.18." + ThreadLocalRandom.current().nextInt(1, 255) + ".";
        bridge = "ghb" + tag;
        must("ip", "link", "add", bridge, "type", "bridge");
        must("ip", "addr", "add", net + "1/24", "dev", bridge);
        must("ip", "link", "set", bridge, "up");
        host("client", 2);
        host("edge", 10);
        for (int i = 1; i <= 3; i++) {
            host("node" + i, 10 + i);
        }
        backend = HttpServer.create(new InetSocketAddress(net + "1", 0), 64);
        backend.createContext("/", x -> {
            seen.add(new String[] {x.getRequestURI().getPath(), x.getRemoteAddress().getAddress().getHostAddress(),
                    String.valueOf(x.getRequestHeaders().getFirst("X-Forwarded-For"))});
            byte[] ok = "ok\n".getBytes(StandardCharsets.US_ASCII);
            x.sendResponseHeaders(200, ok.length);
            x.getResponseBody().write(ok);
            x.close();
        });
        backend.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        backend.start();
        Files.writeString(dir.resolve("node.yaml"), nodeConfig(backend.getAddress().getPort()));
        for (int i = 1; i <= 3; i++) {
            startNode(i);
        }
        Path edgeLog = dir.resolve("edge.log");
        processes.put("edge", new ProcessBuilder(List.of("ip", "netns", "exec", ns("edge"), java(), "-Xmx192m",
                "-XX:TieredStopAtLevel=1", "-jar", GatewayProcess.JAR.toAbsolutePath().toString(), "edge",
                "--listen", net + "10:80", "--nodes", net + "11," + net + "12," + net + "13",
                "--node-port", "80=30080", "--health-check", "http:/ready", "--health-port", "9901",
                "--health-interval", "300ms", "--health-timeout", "300ms", "--connect-timeout", "300ms",
                "--admin", net + "10:9902"))
                .redirectErrorStream(true).redirectOutput(edgeLog.toFile()).start());
        for (int i = 1; i <= 3; i++) {
            awaitNodeReady(i);
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                .untilAsserted(() -> assertThat(edgeNodes()).extracting(n -> n.get("health").asText())
                        .containsExactly("healthy", "healthy", "healthy"));
    }

    private static String nodeConfig(int backendPort) {
        // the Gateway "edge" of Configs is the in-cluster one here: its listener stands in for the NodePort
        return Configs.gateway("  - {name: web, protocol: HTTP, port: 30080}\n") + """
                ---
                apiVersion: gatehouse.dev/v1alpha1
                kind: ClientTrafficPolicy
                metadata: {name: behind-edge, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: edge}]
                  proxyProtocol: {trustedCIDRs: [%1$s10/32]}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: all, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  rules: [{backendRefs: [{name: recorder, port: 80}]}]
                """.formatted(net)
                + Configs.service("recorder", backendPort).replace("\"127.0.0.1\"", "\"" + net + "1\"");
    }

    private static void startNode(int i) throws IOException {
        processes.put("node" + i, new ProcessBuilder(List.of("ip", "netns", "exec", ns("node" + i), java(),
                "-Xmx160m", "-XX:TieredStopAtLevel=1", "-jar", GatewayProcess.JAR.toAbsolutePath().toString(), "run",
                "--config", dir.resolve("node.yaml").toString(), "--bind", "0.0.0.0", "--admin", "0.0.0.0:9901"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("node" + i + ".log").toFile())).start());
    }

    private static void awaitNodeReady(int i) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                .until(() -> http.send(HttpRequest.newBuilder(URI.create("http://" + net + (10 + i) + ":9901/ready"))
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    }

    /** A namespace with one veth on the bridge at {@code net + octet}. */
    private static void host(String name, int octet) throws Exception {
        String ns = ns(name);
        must("ip", "netns", "add", ns);
        namespaces.add(ns);
        String outside = "gh" + tag + "h" + octet;
        String inside = "gh" + tag + "n" + octet;
        must("ip", "link", "add", outside, "type", "veth", "peer", "name", inside);
        must("ip", "link", "set", inside, "netns", ns);
        must("ip", "link", "set", outside, "master", bridge, "up");
        must("ip", "netns", "exec", ns, "ip", "addr", "add", net + octet + "/24", "dev", inside);
        must("ip", "netns", "exec", ns, "ip", "link", "set", inside, "up");
        must("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
    }

    private static String ns(String name) {
        return "gh" + tag + "-" + name;
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (Process p : processes.values()) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (backend != null) {
            backend.stop(0);
        }
        for (String ns : namespaces) {
            run("ip", "netns", "del", ns); // its veth goes with it, and the peer on the bridge too
        }
        if (bridge != null) {
            run("ip", "link", "del", bridge);
        }
    }

    @Test
    void aNodeGoesDownAndComesBackWithoutOneFailedConnectionAfterDetection() throws Exception {
        // all three nodes take traffic, and the backend sees the client, not the edge or a node
        List<Line> before = clientLoop("before", 30);
        assertThat(before).allSatisfy(l -> assertThat(l.code).as("request %d", l.i).isEqualTo("200"));
        assertThat(nodesSeen("before")).containsExactlyInAnyOrder(net + "11", net + "12", net + "13");

        // node 2 goes away (link down, process killed) while the client loop runs
        // bounded by time (and count), not by count alone: a fast edge finished 150 requests before the window ended
        Process loop = clientLoopProcess("down", 3_000, 15);
        await().atMost(Duration.ofSeconds(60)).until(() -> count("down") >= 20);
        long downAt = System.currentTimeMillis();
        must("ip", "netns", "exec", ns("node2"), "ip", "link", "set", "gh" + tag + "n12", "down");
        processes.remove("node2").destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        List<Line> down = lines(loop);
        assertThat(down).hasSizeGreaterThan(20);
        List<Line> failed = down.stream().filter(l -> !l.code.equals("200")).toList();
        List<Line> failedAfterWindow = failed.stream()
                .filter(l -> l.startMillis > downAt + DETECTION_WINDOW.toMillis()).toList();
        System.out.printf("edge e2e: %d requests while node2 went down, %d failed (%d after the %d ms window)%n",
                down.size(), failed.size(), failedAfterWindow.size(), DETECTION_WINDOW.toMillis());
        assertThat(failedAfterWindow).as("failed after the detection window").isEmpty();
        assertThat(down.stream().filter(l -> l.startMillis > downAt + DETECTION_WINDOW.toMillis()).count())
                .as("requests after the window").isGreaterThanOrEqualTo(20);
        JsonNode node2 = edgeNodes().get(1);
        assertThat(node2.get("health").asText()).isEqualTo("unhealthy");

        // node 2 comes back and takes traffic again
        must("ip", "netns", "exec", ns("node2"), "ip", "link", "set", "gh" + tag + "n12", "up");
        startNode(2);
        awaitNodeReady(2);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
                assertThat(edgeNodes().get(1).get("health").asText()).isEqualTo("healthy"));
        List<Line> after = clientLoop("after", 30);
        assertThat(after).allSatisfy(l -> assertThat(l.code).as("request %d", l.i).isEqualTo("200"));
        assertThat(nodesSeen("after")).contains(net + "12");

        // PROXY protocol end to end: every request reached the backend naming the client's own address
        assertThat(seen).allSatisfy(s -> assertThat(s[2]).as("X-Forwarded-For of %s", s[0]).isEqualTo(net + "2"));
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://" + net + "10:9902/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("gatehouse_edge_node_healthy{node=\"" + net + "12\"} 1.0");
    }

    record Line(int i, long startMillis, String code) {
    }

    private static List<Line> clientLoop(String phase, int n) throws Exception {
        return lines(clientLoopProcess(phase, n, 60));
    }

    /**
     * Sequential curls from the client's namespace, each one new connection, at most 5 s each: n of them, or fewer
     * when {@code seconds} have passed.
     */
    private static Process clientLoopProcess(String phase, int n, int seconds) throws IOException {
        String script = "end=$(( $(date +%s) + " + seconds + " )); i=0; "
                + "while [ $i -lt " + n + " ] && [ $(date +%s) -lt $end ]; do i=$((i + 1)); t=$(date +%s%3N); "
                + "c=$(curl -s -o /dev/null -m 5 -w '%{http_code}' http://" + net + "10/" + phase + "/$i); "
                + "echo \"$i $t $c\"; done";
        return new ProcessBuilder("ip", "netns", "exec", ns("client"), "sh", "-c", script)
                .redirectErrorStream(true).start();
    }

    private static List<Line> lines(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(100, TimeUnit.SECONDS)).isTrue();
        List<Line> lines = new ArrayList<>();
        for (String l : out.split("\n")) {
            String[] f = l.trim().split(" ");
            if (f.length == 3) {
                lines.add(new Line(Integer.parseInt(f[0]), Long.parseLong(f[1]), f[2]));
            }
        }
        return lines;
    }

    private static long count(String phase) {
        return seen.stream().filter(s -> s[0].startsWith("/" + phase + "/")).count();
    }

    private static List<String> nodesSeen(String phase) {
        return seen.stream().filter(s -> s[0].startsWith("/" + phase + "/")).map(s -> s[1]).distinct().toList();
    }

    private static JsonNode edgeNodes() throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://" + net + "10:9902/nodes")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("nodes");
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    record Result(int code, String out) {
    }

    private static Result run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), out);
    }

    private static void must(String... cmd) throws Exception {
        Result r = run(cmd);
        if (r.code != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " -> " + r.code + ": " + r.out);
        }
    }
}
