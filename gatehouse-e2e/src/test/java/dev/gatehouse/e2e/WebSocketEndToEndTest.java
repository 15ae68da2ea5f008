package dev.gatehouse.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A WebSocket through the gateway with the JDK's client; it survives a config reload. */
class WebSocketEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void webSocketIsSplicedAndSurvivesAReload() throws Exception {
        try (WebSocketEcho backend = new WebSocketEcho("127.0.0.1")) {
            int wsPort = backend.port();
            int port = GatewayProcess.freePort();
            Path file = dir.resolve("gateway.yaml");
            String services = Configs.base(port) + Configs.service("ws", wsPort);
            Configs.write(file, services + Configs.route("ws", "one"));
            try (GatewayProcess gateway = GatewayProcess.start(dir, "-Xmx256m")) {
                LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
                WebSocket ws = WebSockets.open(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + port + "/ws"),
                        received);
                ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
                assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo: hello");

                Configs.write(file, services + Configs.route("ws", "two"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!gateway.log().contains("generation 2") && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(gateway.log()).contains("generation 2");
                ws.sendText("after reload", true).get(5, TimeUnit.SECONDS);
                assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo: after reload");
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            }
        }
    }
}
