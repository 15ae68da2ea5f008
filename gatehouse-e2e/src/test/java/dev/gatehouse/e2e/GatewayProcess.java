package dev.gatehouse.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real gatehouse jar in its own JVM, as a user runs it; output goes to a log file the tests read.
 */
final class GatewayProcess implements AutoCloseable {
    static final Path JAR = Path.of(System.getProperty("gatehouse.jar", "../gatehouse-app/target/gatehouse.jar"));

    private final Process process;
    private final Path log;
    final int adminPort;

    private GatewayProcess(Process process, Path log, int adminPort) {
        this.process = process;
        this.log = log;
        this.adminPort = adminPort;
    }

    static GatewayProcess start(Path config, String... jvmArgs) throws Exception {
        return start(config, List.of(jvmArgs), List.of());
    }

    /** @param gatewayArgs more {@code run} options, e.g. {@code --access-log FILE} */
    static GatewayProcess start(Path config, List<String> jvmArgs, List<String> gatewayArgs) throws Exception {
        int admin = freePort();
        Path log = Files.createTempFile("gatehouse-e2e", ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", JAR.toString(), "run", "--config", config.toString(), "--bind", "127.0.0.1",
                "--admin", "127.0.0.1:" + admin));
        cmd.addAll(gatewayArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        GatewayProcess g = new GatewayProcess(p, log, admin);
        g.awaitReady();
        return g;
    }

    private void awaitReady() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("gatehouse exited: " + log());
            }
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(admin("/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // the admin port is not bound yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("gatehouse not ready within 30 s: " + log());
    }

    URI admin(String path) {
        return URI.create("http://127.0.0.1:" + adminPort + path);
    }

    /** The endpoint's entry ("127.0.0.1:8080") in {@code GET /backends}, first cluster listing it, or null. */
    JsonNode backendEndpoint(String address) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(admin("/backends"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            return null;
        }
        for (JsonNode cluster : new ObjectMapper().readTree(r.body()).path("clusters")) {
            for (JsonNode e : cluster.path("endpoints")) {
                if (address.equals(e.path("address").asText())) {
                    return e;
                }
            }
        }
        return null;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** SIGTERM, as Kubernetes and systemd stop a process: on Linux {@link Process#destroy} sends it, each call. */
    void terminate() {
        process.destroy();
    }

    /** @return the exit code, or {@code null} when the process still runs after {@code wait} */
    Integer awaitExit(Duration wait) throws InterruptedException {
        return process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** The repository's launcher, {@code ./gatehouse}, which starts {@link #JAR} with its JVM flags (CDS). */
    static final Path LAUNCHER = Path.of(System.getProperty("gatehouse.launcher", "../gatehouse"));

    /**
     * The jar started as {@code ./gatehouse} starts it, so that a bench measures what users run: the launcher's JVM
     * flags, and its class-data archive (made by a training run first, when missing or older than the jar) unless
     * {@code cds} is false. {@code moreJvmArgs} (a flight recording, a log) go in through JDK_JAVA_OPTIONS, which
     * the launcher's flags do not replace.
     */
    static ProcessBuilder launcher(List<String> moreJvmArgs, boolean cds, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("JAVA_OPTS");
        if (!moreJvmArgs.isEmpty()) {
            pb.environment().put("JDK_JAVA_OPTIONS", String.join(" ", moreJvmArgs));
        }
        pb.environment().put("GATEHOUSE_CDS", cds ? "on" : "off");
        return pb;
    }

    static int freePort() throws IOException {
        return dev.gatehouse.testing.FreePorts.tcp();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(log);
    }
}
