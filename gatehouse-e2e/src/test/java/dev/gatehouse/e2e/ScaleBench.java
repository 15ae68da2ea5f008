package dev.gatehouse.e2e;

import dev.gatehouse.app.demo.EchoServer;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12's scale measurement, not a test (tagged {@code bench}, excluded from the suite): the real jar in
 * controller mode against fabric8's mock API server holding ROUTES HTTPRoutes, as many Services, and
 * EndpointSlices with ENDPOINTS_PER_SERVICE endpoints each (20,000 by default). It measures the time from the
 * process start to the first served config (the last route answering), the heap in use after a full GC (through
 * jcmd), and the time from one route change, and one endpoint change, to their effect on traffic. The jar runs
 * as the launcher starts it, with its class-data archive and its -Xmx512m, the heap target, so a config that
 * does not fit fails here.
 *
 * <pre>
 * mvn -B -o verify -pl gatehouse-e2e -am -Dtest=ScaleBench -Dsurefire.failIfNoSpecifiedTests=false -DexcludedGroups= \
 *     [-Dscale.routes=5000 -Dscale.endpointsPerService=4 -Dscale.cds=false -Dscale.jvmArgs=... -Dscale.javaOpts=...]
 * </pre>
 */
@Tag("bench")
class ScaleBench {
    static final int ROUTES = Integer.getInteger("scale.routes", 5000);
    static final int ENDPOINTS_PER_SERVICE = Integer.getInteger("scale.endpointsPerService", 4);
    static final int CHANGES = 7;

    @Test
    void fiveThousandRoutesAndTwentyThousandEndpoints() throws Exception {
        KubernetesMockServer api = MockApi.start();
        Path kubeconfig = null;
        Path log = Files.createTempFile("gatehouse-scale", ".log");
        Process gatehouse = null;
        try (KubernetesClient client = api.createClient();
             EchoServer echo = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "echo", "default")) {
            MockApi.installGatewayApiCrds(client);
            int port = GatewayProcess.freePort();
            long loading = System.nanoTime();
            for (String doc : Configs.base(port).split("\n---\n")) {
                client.resource(doc).create();
            }
            int echoPort = echo.address().getPort();
            java.util.stream.IntStream.range(0, ROUTES).parallel().forEach(i -> {
                // the routes measured (the last one, and the ones changed) reach the echo server; the others have
                // endpoints on loopback addresses where nothing listens, as pods that are gone
                boolean live = i == ROUTES - 1 || i % 500 == 0;
                client.resource(service(i)).create();
                client.resource(slice(i, live ? List.of("127.0.0.1") : deadAddresses(i), echoPort)).create();
                client.resource(route(i, "1")).create();
            });
            System.out.printf("scale: %d HTTPRoutes, %d Services, %d endpoints loaded into the mock API server in %.1f s%n",
                    ROUTES, ROUTES, ROUTES * ENDPOINTS_PER_SERVICE, seconds(System.nanoTime() - loading));
            kubeconfig = MockApi.kubeconfig(client);

            int admin = GatewayProcess.freePort();
            List<String> jvmArgs = new ArrayList<>();
            // e.g. -Dscale.jvmArgs=-XX:StartFlightRecording=filename=/tmp/scale.jfr,settings=profile
            String extra = System.getProperty("scale.jvmArgs", "");
            if (!extra.isBlank()) {
                jvmArgs.addAll(List.of(extra.trim().split("\\s+")));
            }
            // started as ./gatehouse starts it (its heap flags: -Xmx512m, the target); -Dscale.cds=false without the
            // class-data archive
            boolean cds = !"false".equals(System.getProperty("scale.cds"));
            // the launcher's training run (the archive for this jar) is not the start measured
            ProcessBuilder ready = GatewayProcess.launcher(jvmArgs, cds, List.of(cds ? "train" : "--version")).inheritIO();
            ProcessBuilder run = GatewayProcess.launcher(jvmArgs, cds, List.of("run", "--kubeconfig",
                    kubeconfig.toString(), "--bind", "127.0.0.1", "--admin", "127.0.0.1:" + admin,
                    "--gateway-addresses", "203.0.113.7")).redirectErrorStream(true).redirectOutput(log.toFile());
            // e.g. -Dscale.javaOpts='-XX:+UseG1GC -Xmx512m': in place of the launcher's heap and GC flags
            String javaOpts = System.getProperty("scale.javaOpts", "");
            if (!javaOpts.isBlank()) {
                ready.environment().put("JAVA_OPTS", javaOpts);
                run.environment().put("JAVA_OPTS", javaOpts);
            }
            assertThat(ready.start().waitFor(5, TimeUnit.MINUTES)).isTrue();
            long started = System.nanoTime();
            gatehouse = run.start();
            // HTTP/1.1: over h2 the JDK client would send both :authority and a differing Host, which the gateway
            // refuses as malformed (RFC 9113, 8.3.1)
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2)).build();
            Process running = gatehouse;
            long firstServed = until(Duration.ofSeconds(120), () -> {
                assertThat(running.isAlive()).as(Files.readString(log)).isTrue();
                return body(http, port, ROUTES - 1);
            }, b -> b.contains("\"x-config-version\":\"1\"")) - started;
            // what the process spent getting there (JIT, GC and every thread): a busy machine stretches the elapsed time
            long firstServedCpu = gatehouse.toHandle().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
            String loadAtFirst = loadAverage();

            Thread.sleep(3000); // the first status writes and health probes settle
            long heap = heapAfterGc(gatehouse.pid());

            List<Long> routeChanges = new ArrayList<>();
            List<Long> endpointChanges = new ArrayList<>();
            for (int c = 0; c < CHANGES; c++) {
                int i = (c * 500) % ROUTES;
                String version = String.valueOf(c + 2);
                long t0 = System.nanoTime();
                HTTPRoute current = client.resources(HTTPRoute.class).inNamespace("default").withName("r" + i).get();
                client.resource(new HTTPRouteBuilder(current).editSpec().editFirstRule().editFirstFilter()
                        .editRequestHeaderModifier().editFirstSet().withValue(version).endSet()
                        .endRequestHeaderModifier().endFilter().endRule().endSpec().build()).update();
                routeChanges.add(until(Duration.ofSeconds(30), () -> body(http, port, i),
                        b -> b.contains("\"x-config-version\":\"" + version + "\"")) - t0);

                int dead = i + 1; // a route whose endpoints are all gone gets a live one
                long t1 = System.nanoTime();
                client.resource(slice(dead, List.of("127.0.0.1"), echo.address().getPort())).update();
                endpointChanges.add(until(Duration.ofSeconds(30), () -> body(http, port, dead),
                        b -> b.contains("\"pod\":\"echo\"")) - t1);
            }
            String report = """
                    scale: %d HTTPRoutes, %d Services, %d endpoints (EndpointSlices of %d), controller mode, as ./gatehouse starts it (%s%s)
                      first served config (process start -> last route answering): %.1f s (%.1f s of the process's CPU; load average then %s)
                      heap in use after a full GC: %d MiB
                      one route change -> live: median %.0f ms, max %.0f ms (%d changes)
                      one EndpointSlice change -> live: median %.0f ms, max %.0f ms (%d changes)
                      load average at the end: %s
                    """.formatted(ROUTES, ROUTES, ROUTES * ENDPOINTS_PER_SERVICE, ENDPOINTS_PER_SERVICE,
                    cds ? "class-data archive" : "no class-data archive",
                    javaOpts.isBlank() ? "" : ", JAVA_OPTS=" + javaOpts,
                    seconds(firstServed), firstServedCpu / 1000.0, loadAtFirst, heap / (1024 * 1024), median(routeChanges), max(routeChanges), CHANGES,
                    median(endpointChanges), max(endpointChanges), CHANGES, loadAverage());
            System.out.print(report);
            Files.writeString(Path.of("target", "scale.txt"), report);
            Files.readAllLines(log).stream()
                    .filter(l -> l.contains("serving config generation") || l.contains("watching") || l.contains("connecting")
                            || l.contains("reading the caches"))
                    .forEach(l -> System.out.println("  log: " + l));
        } finally {
            if (gatehouse != null && gatehouse.isAlive()) {
                gatehouse.destroy(); // SIGTERM: a flight recording is written on the way out
                gatehouse.waitFor(40, TimeUnit.SECONDS);
                gatehouse.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            // kept for a look at every reload and every warning
            Files.move(log, Path.of("target", "scale-gatehouse.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            if (kubeconfig != null) {
                Files.deleteIfExists(kubeconfig);
            }
            try {
                api.destroy();
            } catch (RuntimeException e) {
                // a mock server still busy with the status writes must not hide what failed before
                System.out.println("scale: the mock API server did not stop cleanly: " + e);
            }
        }
    }

    interface Probe {
        String get() throws Exception;
    }

    /** Polls every 10 ms until the answer satisfies the check; returns System.nanoTime() at that moment. */
    private static long until(Duration limit, Probe probe, Predicate<String> check) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = probe.get();
                if (check.test(last)) {
                    return System.nanoTime();
                }
            } catch (java.io.IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("not live within " + limit + ": last answer " + last);
    }

    private static String body(HttpClient http, int port, int route) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("Host", "r" + route + ".example.com").timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The 1, 5 and 15 minute load averages (Linux), since figures on a shared machine mean little without them. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static long heapAfterGc(long pid) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        run(jcmd, String.valueOf(pid), "GC.run");
        // "garbage-first heap   total 524288K, used 123456K", or a line per generation (Parallel: PSYoungGen and
        // ParOldGen; Serial: def new and tenured generation), each "total ..., used ...": their sum
        long usedKb = -1;
        for (String line : run(jcmd, String.valueOf(pid), "GC.heap_info").split("\n")) {
            int used = line.indexOf("used ");
            if (line.contains("total") && used > 0) {
                usedKb = Math.max(usedKb, 0) + Long.parseLong(line.substring(used + 5).replaceAll("[^0-9].*", ""));
            }
        }
        if (usedKb >= 0) {
            return usedKb * 1024;
        }
        throw new AssertionError("no heap figure from jcmd");
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /** Distinct loopback addresses where nothing listens: 127.1.0.0/16 upwards, one per endpoint. */
    static List<String> deadAddresses(int service) {
        List<String> out = new ArrayList<>();
        for (int e = 0; e < ENDPOINTS_PER_SERVICE; e++) {
            int n = service * ENDPOINTS_PER_SERVICE + e;
            out.add("127." + (1 + n / 65536) + "." + (n / 256 % 256) + "." + (n % 256));
        }
        return out;
    }

    static String service(int i) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: s%d, namespace: default}
                spec:
                  ports: [{name: http, port: 80}]
                """.formatted(i);
    }

    static String slice(int i, List<String> addresses, int port) {
        StringBuilder endpoints = new StringBuilder();
        for (String a : addresses) {
            endpoints.append("- addresses: [\"").append(a).append("\"]\n  conditions: {ready: true, serving: true}\n");
        }
        return """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: s%1$d-1
                  namespace: default
                  labels: {kubernetes.io/service-name: s%1$d}
                addressType: IPv4
                ports: [{name: http, port: %2$d}]
                endpoints:
                """.formatted(i, port) + endpoints;
    }

    static String route(int i, String version) {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: r%1$d, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  hostnames: [r%1$d.example.com]
                  rules:
                  - filters:
                    - type: RequestHeaderModifier
                      requestHeaderModifier:
                        set: [{name: X-Config-Version, value: "%2$s"}]
                    backendRefs: [{name: s%1$d, port: 80}]
                """.formatted(i, version);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static double median(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2) / 1e6;
    }

    static double max(List<Long> nanos) {
        return Collections.max(nanos) / 1e6;
    }
}
