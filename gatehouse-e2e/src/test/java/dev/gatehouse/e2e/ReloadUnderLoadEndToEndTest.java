package dev.gatehouse.e2e;

import dev.gatehouse.app.demo.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hardening contract's reload case, against the real jar: 16 concurrent clients for 30 s while the
 * config changes 10 times (backend, header and the port's ClientTrafficPolicy all change): 0 failed requests, each
 * change goes live, and requests are served between every two changes. How fast changes go live is printed, not
 * asserted, and throughput is measured by {@code bench/run.sh}, not here: on a busy machine both say more about the
 * machine than about gatehouse. The policy is checked live at the end (header field limit -> 431).
 */
class ReloadUnderLoadEndToEndTest {
    static final int CLIENTS = 16;
    static final int CHANGES = 10;
    static final long LOAD_SECONDS = 30;

    @TempDir
    Path dir;

    @Test
    void tenReloadsDuringThirtySecondsOfSixteenClientsLoseNothing() throws Exception {
        try (EchoServer a = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "backend-a", "default");
             EchoServer b = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "backend-b", "default")) {
            int port = GatewayProcess.freePort();
            String services = Configs.base(port) + Configs.service("a", a.address().getPort())
                    + Configs.service("b", b.address().getPort());
            Path file = dir.resolve("gateway.yaml");
            Configs.write(file, services + Configs.route("a", "v0") + policy(200));
            try (GatewayProcess gateway = GatewayProcess.start(dir, "-Xmx256m")) {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(2)).build();
                URI uri = URI.create("http://127.0.0.1:" + port + "/load");
                AtomicLong ok = new AtomicLong();
                ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
                ExecutorService load = Executors.newFixedThreadPool(CLIENTS);
                long start = System.nanoTime();
                long loadEnd = start + TimeUnit.SECONDS.toNanos(LOAD_SECONDS);
                for (int i = 0; i < CLIENTS; i++) {
                    load.submit(() -> {
                        while (System.nanoTime() < loadEnd) {
                            try {
                                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri)
                                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                                if (r.statusCode() != 200) {
                                    failures.add(r.statusCode() + " " + r.body());
                                } else {
                                    ok.incrementAndGet();
                                }
                            } catch (Exception e) {
                                failures.add(e.toString());
                            }
                        }
                        return null;
                    });
                }
                List<Long> liveMillis = new ArrayList<>();
                long spacing = TimeUnit.SECONDS.toNanos(LOAD_SECONDS) / (CHANGES + 1);
                long okAtLastChange = ok.get();
                for (int version = 1; version <= CHANGES; version++) {
                    long at = start + spacing * version;
                    long wait = at - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    String backend = version % 2 == 0 ? "a" : "b";
                    String tag = "v" + version;
                    long changed = System.nanoTime();
                    Configs.write(file, services + Configs.route(backend, tag) + policy(version == CHANGES ? 20 : 200 + version));
                    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(10)).until(() ->
                            probe(client, uri).contains("\"x-config-version\":\"" + tag + "\""));
                    liveMillis.add((System.nanoTime() - changed) / 1_000_000);
                    if (System.nanoTime() < loadEnd) { // the clients were running all along
                        assertThat(ok.get()).as("requests served since the change before %s", tag)
                                .isGreaterThan(okAtLastChange);
                    }
                    okAtLastChange = ok.get();
                }
                load.shutdown();
                assertThat(load.awaitTermination(LOAD_SECONDS + 30, TimeUnit.SECONDS)).isTrue();
                System.out.printf("reload under load: %d ok, %d failed, live after (ms) %s%n", ok.get(),
                        failures.size(), liveMillis);
                assertThat(failures).as("failed requests during reloads").isEmpty();
                assertThat(liveMillis).as("ms until each change was live").hasSize(CHANGES);
                // the last policy allows 20 header fields on this port: new connections get it
                assertThat(rawStatus(port, 30)).isEqualTo("431");
                assertThat(rawStatus(port, 10)).isEqualTo("200");
                assertThat(gateway.log()).doesNotContain("config rejected");
            }
        }
    }

    /** A ClientTrafficPolicy on the Gateway's listener; its header field limit changes per version. */
    static String policy(int maxHeaderFields) {
        return """
                ---
                apiVersion: gatehouse.dev/v1alpha1
                kind: ClientTrafficPolicy
                metadata: {name: edge-limits, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: edge}]
                  timeouts: {requestHeader: 10s, bodyIdle: 10s, backendResponse: 15s}
                  limits: {maxHeaderFields: %d}
                """.formatted(maxHeaderFields);
    }

    private static String rawStatus(int port, int extraFields) throws Exception {
        StringBuilder head = new StringBuilder("GET /fields HTTP/1.1\r\nHost: a\r\nConnection: close\r\n");
        for (int i = 0; i < extraFields; i++) {
            head.append("X-F").append(i).append(": v\r\n");
        }
        head.append("\r\n");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(head.toString().getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while (out.size() < 12 && (n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
            return out.toString(StandardCharsets.US_ASCII).substring(9, 12);
        }
    }

    private static String probe(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
