package dev.gatehouse.app.cli;

import dev.gatehouse.app.demo.EchoServer;
import dev.gatehouse.kubernetes.KubernetesController;
import dev.gatehouse.kubernetes.KubernetesSettings;
import dev.gatehouse.translate.TranslatorOptions;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * A training run for class data sharing: the launcher and the image build run it once with
 * {@code -XX:ArchiveClassesAtExit=FILE}, and every later start maps the classes it loaded from FILE instead of
 * loading, parsing and verifying them again. It goes through what a start goes through: the quickstart config
 * loaded, translated and served on loopback ports of its own, requests proxied to an echo backend, the admin API,
 * a hot reload, the drain; and controller mode's classes (the fabric8 client, discovery, the informers, the model
 * classes read by Jackson) against the echo backend, since there is no cluster at build time.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Exercise gatehouse once on loopback (the quickstart config, requests, a reload) and exit.",
                "Run by ./gatehouse and the image build with -XX:ArchiveClassesAtExit to write the class-data "
                        + "archive every later start uses."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:a step failed (the archive is still written, with fewer classes)"})
final class TrainCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(TrainCommand.class);
    private static final int REQUESTS = 300;
    private static final Duration STEP_LIMIT = Duration.ofSeconds(20);

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        // the quickstart's routes match on the Host header, which the JDK's client sends only when allowed
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        Path dir = Files.createTempDirectory("gatehouse-train");
        try (EchoServer echo = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "echo-train", "default")) {
            int port = PortCheck.freePort();
            int admin = PortCheck.freePort();
            writeConfig(dir, port, echo.address().getPort());
            GatewayOptions options = new GatewayOptions();
            new CommandLine(options).parseArgs("--bind", "127.0.0.1", "--admin", "127.0.0.1:" + admin,
                    "--drain-period", "0s", "--drain-timeout", "1s");
            try (GatewayRuntime runtime = new GatewayRuntime(dir, null,
                    new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME), options)) {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(2)).build();
                for (int i = 0; i < REQUESTS; i++) {
                    for (String path : List.of("/v1/hello", "/v2/hello", "/canary", "/old")) {
                        get(http, port, "echo.example.com", path);
                    }
                }
                get(http, port, "nowhere.example.com", "/");
                for (String path : List.of("/ready", "/config", "/status", "/routes", "/backends", "/reloads",
                        "/metrics", "/source", "/ui/")) {
                    get(http, admin, "127.0.0.1", path);
                }
                reload(dir, http, port);
            }
            controllerClasses(echo.address().getPort());
        } finally {
            deleteTree(dir);
        }
        log.info("training run done in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return 0;
    }

    /** The quickstart's files from the jar, on the ports given: the listener's, and the echo backend's for both. */
    private static void writeConfig(Path dir, int port, int echoPort) throws IOException {
        for (String name : DemoCommand.QUICKSTART_FILES) {
            try (InputStream in = TrainCommand.class.getResourceAsStream("/quickstart/" + name)) {
                if (in == null) {
                    throw new IOException("quickstart file " + name + " missing from the jar");
                }
                String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        .replace("port: 8080", "port: " + port)
                        .replace("3001", String.valueOf(echoPort)).replace("3002", String.valueOf(echoPort));
                Files.writeString(dir.resolve(name), yaml);
            }
        }
    }

    /** A changed route, as an edit makes it: the watcher, a second translation, the swap. */
    private static void reload(Path dir, HttpClient http, int port) throws Exception {
        Path routes = dir.resolve("20-routes.yaml");
        Files.writeString(routes, Files.readString(routes).replace("value: \"v2\"", "value: \"v2-trained\""));
        long deadline = System.nanoTime() + STEP_LIMIT.toNanos();
        while (!get(http, port, "echo.example.com", "/v2/hello").contains("v2-trained")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the training config's change was not served within " + STEP_LIMIT);
            }
            Thread.sleep(50);
        }
    }

    /**
     * Controller mode without a cluster: the client and its HTTP stack, discovery and the informers' first lists,
     * asked of the echo backend (whose answers hold no resources: the kinds are skipped, the lists are empty), and
     * the typed objects the informers read, parsed from the quickstart with the client's Jackson mapper.
     */
    private static void controllerClasses(int apiPort) throws Exception {
        Path kubeconfig = Files.createTempFile("gatehouse-train", ".kubeconfig");
        try {
            Files.writeString(kubeconfig, """
                    apiVersion: v1
                    kind: Config
                    clusters: [{name: train, cluster: {server: "http://127.0.0.1:%d"}}]
                    contexts: [{name: train, context: {cluster: train, user: train, namespace: default}}]
                    current-context: train
                    users: [{name: train, user: {token: train}}]
                    """.formatted(apiPort));
            try (KubernetesController controller = KubernetesController.connect(
                    KubernetesSettings.defaults(TranslatorOptions.DEFAULT_CONTROLLER_NAME).withKubeconfig(kubeconfig))) {
                CompletableFuture<Void> synced = CompletableFuture.runAsync(() -> {
                    try {
                        controller.source().watch(() -> { });
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                });
                try {
                    synced.get(STEP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException notAnApiServer) {
                    log.debug("the informers did not sync against the echo backend: {}", notAnApiServer.toString());
                }
                KubernetesSerialization serialization = new KubernetesSerialization();
                for (String name : DemoCommand.QUICKSTART_FILES) {
                    try (InputStream in = TrainCommand.class.getResourceAsStream("/quickstart/" + name)) {
                        for (String doc : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n---\n")) {
                            serialization.asJson(serialization.unmarshal(doc));
                        }
                    }
                }
            }
        } finally {
            Files.deleteIfExists(kubeconfig);
        }
    }

    private static String get(HttpClient http, int port, String host, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Host", host)
                .timeout(STEP_LIMIT).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
