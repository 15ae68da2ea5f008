package dev.gatehouse.e2e;

import dev.gatehouse.app.demo.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Config changes under continuous load: nothing lost, each change goes live (how fast is printed, not asserted: a
 * busy machine decides that), load keeps being served across every change, broken ones are kept out.
 */
class HotReloadEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void reloadsUnderLoadLoseNoRequestAndBrokenConfigsKeepTheLastGoodOne() throws Exception {
        try (EchoServer a = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "backend-a", "default");
             EchoServer b = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "backend-b", "default")) {
            int port = GatewayProcess.freePort();
            String services = Configs.base(port) + Configs.service("a", a.address().getPort())
                    + Configs.service("b", b.address().getPort());
            Path file = dir.resolve("gateway.yaml");
            Configs.write(file, services + Configs.route("a", "v0"));
            try (GatewayProcess gateway = GatewayProcess.start(dir, "-Xmx256m")) {
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
                URI uri = URI.create("http://127.0.0.1:" + port + "/load");
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicLong ok = new AtomicLong();
                ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
                ConcurrentLinkedQueue<String> lastSeen = new ConcurrentLinkedQueue<>();
                ExecutorService load = Executors.newFixedThreadPool(8);
                long loadDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                for (int i = 0; i < 8; i++) {
                    load.submit(() -> {
                        while (running.get() && System.nanoTime() < loadDeadline) {
                            try {
                                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri)
                                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                                if (r.statusCode() != 200) {
                                    failures.add(r.statusCode() + " " + r.body());
                                } else {
                                    ok.incrementAndGet();
                                    lastSeen.add(r.body());
                                    if (lastSeen.size() > 64) {
                                        lastSeen.poll();
                                    }
                                }
                            } catch (Exception e) {
                                failures.add(e.toString());
                            }
                        }
                        return null;
                    });
                }
                List<Long> liveMillis = new ArrayList<>();
                long okAtLastChange = ok.get();
                for (int version = 1; version <= 6; version++) {
                    String backend = version % 2 == 0 ? "a" : "b";
                    String tag = "v" + version;
                    long changed = System.nanoTime();
                    Configs.write(file, services + Configs.route(backend, tag));
                    try {
                        // the watcher settles 150 ms after the last write; the slack is for a busy machine
                        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() ->
                                probe(client, uri).contains("\"x-config-version\":\"" + tag + "\""));
                    } catch (org.awaitility.core.ConditionTimeoutException e) {
                        throw new AssertionError("config " + tag + " not live after 15 s; last answer: "
                                + probe(client, uri) + "\ngateway log:\n" + gateway.log(), e);
                    }
                    liveMillis.add((System.nanoTime() - changed) / 1_000_000);
                    Thread.sleep(300);
                    assertThat(ok.get()).as("requests served since the change before %s", tag)
                            .isGreaterThan(okAtLastChange);
                    okAtLastChange = ok.get();
                }
                System.out.printf("hot reload: %d ok, live after (ms) %s%n", ok.get(), liveMillis);

                // A broken config: the error names file, document, resource and field; v6 keeps serving.
                Configs.write(file, services + Configs.route("a", "v6").replace("port: 80}]\n", "port: eighty}]\n"));
                await().atMost(Duration.ofSeconds(15)).until(() -> gateway.log().contains("config rejected"));
                Thread.sleep(500);
                assertThat(probe(client, uri)).contains("\"x-config-version\":\"v6\"");
                String log = gateway.log();
                assertThat(log).contains("gateway.yaml", "HTTPRoute default/all", "backendRefs[0].port");

                running.set(false);
                load.shutdown();
                assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
                assertThat(failures).as("failed requests during reloads").isEmpty();
            }
        }
    }

    private static String probe(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
