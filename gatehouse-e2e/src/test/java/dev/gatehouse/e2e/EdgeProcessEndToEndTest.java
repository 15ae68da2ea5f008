package dev.gatehouse.e2e;

import dev.gatehouse.app.demo.EchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code gatehouse edge --nodes-file} as a user runs it: the jar in its own JVM in front of an echo backend on
 * loopback. The file first names a node where nothing listens (the edge is not ready, clients are refused), then is
 * replaced by one naming the echo (picked up without a restart); SIGHUP re-reads it and does not stop the edge
 * (the JVM's default for SIGHUP is to exit).
 */
class EdgeProcessEndToEndTest {
    @TempDir
    Path dir;

    private Process edge;
    private EchoServer echo;

    @AfterEach
    void stop() throws Exception {
        if (edge != null) {
            edge.destroy();
            if (!edge.waitFor(15, TimeUnit.SECONDS)) {
                edge.destroyForcibly();
            }
        }
        if (echo != null) {
            echo.close();
        }
    }

    @Test
    void theNodesFileIsFollowedAndSighupKeepsTheEdgeRunning() throws Exception {
        echo = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "node-a", "default");
        int nodePort = echo.address().getPort();
        int listen = GatewayProcess.freePort();
        int admin = GatewayProcess.freePort();
        Path nodes = dir.resolve("nodes");
        Files.writeString(nodes, "# nothing listens on 127.0.0.9\nghost 127.0.0.9\n");
        Path log = dir.resolve("edge.log");
        edge = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-jar", GatewayProcess.JAR.toString(), "edge", "--listen", "127.0.0.1:" + listen,
                "--nodes-file", nodes.toString(), "--node-port", listen + "=" + nodePort, "--proxy-protocol", "off",
                "--health-interval", "200ms", "--health-timeout", "200ms", "--admin", "127.0.0.1:" + admin))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create("http://127.0.0.1:" + admin + "/ready");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("no healthy node");
        });

        Path next = dir.resolve("nodes.new");
        Files.writeString(next, "node-a 127.0.0.1\n");
        Files.move(next, nodes, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> http.send(
                HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        URI through = URI.create("http://127.0.0.1:" + listen + "/hello");
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(through).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("node-a");

        new ProcessBuilder("kill", "-HUP", String.valueOf(edge.pid())).start().waitFor(10, TimeUnit.SECONDS);
        Thread.sleep(500);
        assertThat(edge.isAlive()).as("edge alive after SIGHUP: %s", Files.readString(log)).isTrue();
        assertThat(http.send(HttpRequest.newBuilder(through).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        String nodesJson = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/nodes")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(nodesJson).contains("\"name\" : \"node-a\"").doesNotContain("ghost");
    }
}
