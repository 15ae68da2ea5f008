package dev.gatehouse.e2e;

import dev.gatehouse.app.control.ConfigLoader;
import dev.gatehouse.proxy.observe.metrics.GatewayMetrics;
import dev.gatehouse.routing.balance.EndpointHealthRegistry;
import dev.gatehouse.routing.balance.HealthPolicy;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.runtime.SnapshotCompiler;
import dev.gatehouse.translate.ResourceSet;
import dev.gatehouse.translate.TranslatorOptions;
import dev.gatehouse.translate.YamlResourceLoader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one reload costs in CPU, stage by stage, at ScaleBench's size, in this JVM: the resources ScaleBench loads
 * into the mock API server are read once from files, then each round hands them over again with one HTTPRoute
 * replaced by a changed copy, as the informers do, and translates, compiles, binds the meters and runs the doctor's
 * checks, and the health registry's retain (the part of the server's apply that walked every endpoint); and
 * standalone mode's reload of a folder with one file rewritten. CPU time of this thread, so a machine busy with other
 * work moves the figures little (the elapsed time it stretches many times over), and the bytes it allocated (what
 * a reload allocates decides the collections, so the pauses, that come with it). Tagged {@code bench}: run it with {@code -DexcludedGroups= -Dtest=ReloadCostBench}.
 */
@Tag("bench")
class ReloadCostBench {
    static final int ROUNDS = 12;
    static final int WARMUP = 4;

    @TempDir
    Path dir;

    @Test
    void oneRouteChangedAtFiveThousandRoutes() throws Exception {
        List<ResourceSet.Entry> entries = scaleBenchEntries();
        measure("controller mode: %d HTTPRoutes, %d endpoints, one route changed per reload (as an informer hands it over)"
                .formatted(ScaleBench.ROUTES, ScaleBench.ROUTES * ScaleBench.ENDPOINTS_PER_SERVICE), ScaleBench.ROUTES,
                round -> {
                    changeOneRoute(entries, "r" + (round * 397 % ScaleBench.ROUTES), String.valueOf(round + 2));
                    return new YamlResourceLoader.Result(new ResourceSet(List.copyOf(entries)), List.of());
                });
    }

    /** The common case in a live cluster: pods come and go, one Service's EndpointSlice replaced per reload. */
    @Test
    void oneEndpointSliceChangedAtFiveThousandRoutes() throws Exception {
        List<ResourceSet.Entry> entries = scaleBenchEntries();
        measure("controller mode: %d HTTPRoutes, %d endpoints, one EndpointSlice changed per reload"
                .formatted(ScaleBench.ROUTES, ScaleBench.ROUTES * ScaleBench.ENDPOINTS_PER_SERVICE), ScaleBench.ROUTES,
                round -> {
                    int i = round * 397 % ScaleBench.ROUTES;
                    List<String> addresses = new ArrayList<>(ScaleBench.deadAddresses(i));
                    addresses.set(round % addresses.size(), "127.0." + (round / 250 + 1) + "." + (round % 250 + 1));
                    changeOneSlice(entries, ScaleBench.slice(i, addresses, 9000));
                    return new YamlResourceLoader.Result(new ResourceSet(List.copyOf(entries)), List.of());
                });
    }

    /** ScaleBench's objects, as its mock API server holds them, read once from a file. */
    private List<ResourceSet.Entry> scaleBenchEntries() throws java.io.IOException {
        StringBuilder yaml = new StringBuilder(Configs.base(18080));
        for (int i = 0; i < ScaleBench.ROUTES; i++) {
            yaml.append("\n---\n").append(ScaleBench.service(i))
                    .append("---\n").append(ScaleBench.slice(i, ScaleBench.deadAddresses(i), 9000))
                    .append("---\n").append(ScaleBench.route(i, "1"));
        }
        Files.writeString(dir.resolve("config.yaml"), yaml);
        return new ArrayList<>(new YamlResourceLoader().load(dir).resources().entries());
    }

    /** A new object for the slice of the same name, the others the same instances. */
    private static void changeOneSlice(List<ResourceSet.Entry> entries, String yaml) {
        io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice changed = io.fabric8.kubernetes.client.utils.Serialization
                .unmarshal(yaml, io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice.class);
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).object() instanceof io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice s
                    && s.getMetadata().getName().equals(changed.getMetadata().getName())) {
                entries.set(i, new ResourceSet.Entry(changed, entries.get(i).file(), entries.get(i).document()));
            }
        }
    }

    /**
     * Standalone mode as {@code bench/perf.sh routes} runs it: {@link #FILE_ROUTES} HTTPRoutes in files of 100 (the
     * layout of bench/perf_routes.py), one file rewritten per reload and the folder read again by the same loader,
     * as the file watcher's reload does.
     */
    @Test
    void oneFileRewrittenAtTenThousandRoutes() throws Exception {
        // one Service with one slice behind every route, as bench/perf_routes.py's origin
        Files.writeString(dir.resolve("00-base.yaml"), Configs.base(18080) + "\n---\n" + ScaleBench.service(0)
                + "---\n" + ScaleBench.slice(0, List.of("127.0.0.1"), 9000));
        for (int file = 0; file < FILE_ROUTES / 100; file++) {
            Files.writeString(dir.resolve("routes-%03d.yaml".formatted(file)), routeFile(file, "1"));
        }
        YamlResourceLoader files = new YamlResourceLoader();
        measure("standalone mode: %d HTTPRoutes in files of 100, one file rewritten per reload".formatted(FILE_ROUTES),
                1, round -> {
                    int file = round * 37 % (FILE_ROUTES / 100);
                    try {
                        Files.writeString(dir.resolve("routes-%03d.yaml".formatted(file)), routeFile(file, "v" + round));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    return files.load(dir);
                });
    }

    static final int FILE_ROUTES = Integer.getInteger("scale.fileRoutes", 10_000);

    /** 100 routes as bench/perf_routes.py writes them: 4 per tenant hostname, every tenth a wildcard; one header. */
    private static String routeFile(int file, String version) {
        StringBuilder b = new StringBuilder();
        for (int i = file * 100; i < file * 100 + 100; i++) {
            int t = i / 4;
            String host = t % 10 == 9 ? "*.tenant" + t + ".example.com" : "app.tenant" + t + ".example.com";
            String match = List.of("{path: {type: PathPrefix, value: /api}, headers: [{name: x-canary, value: \"true\"}]}",
                    "{path: {type: PathPrefix, value: /api}}", "{path: {type: Exact, value: /healthz}}",
                    "{path: {type: PathPrefix, value: /static}}").get(i % 4);
            b.append("""
                    ---
                    apiVersion: gateway.networking.k8s.io/v1
                    kind: HTTPRoute
                    metadata: {name: r%d, namespace: default}
                    spec:
                      parentRefs: [{name: edge}]
                      hostnames: ["%s"]
                      rules:
                      - matches: [%s]
                        filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: x-v, value: "%s"}]}}]
                        backendRefs: [{name: s0, port: 80}]
                    """.formatted(i, host, match, version));
        }
        return b.toString();
    }

    /**
     * Runs {@link #ROUNDS} reloads of what {@code read} gives for each round (read included: the YAML loader's
     * work is a stage in standalone mode) and prints the CPU time and the bytes allocated by each stage.
     */
    private static void measure(String title, int clusters, java.util.function.IntFunction<YamlResourceLoader.Result> read) {
        ConfigLoader loader = new ConfigLoader(TranslatorOptions.defaults());
        // the server's long-lived registry, as in the gateway: its retain runs on every apply
        EndpointHealthRegistry health = new EndpointHealthRegistry(HealthPolicy.passiveOnly());
        SnapshotCompiler compiler = new SnapshotCompiler(health);
        GatewayMetrics metrics = new GatewayMetrics();
        String[] stages = {"read", "translate", "compile", "bind the meters", "doctor's checks (after serving)",
                "the health registry's retain"};
        List<List<Long>> cpu = new ArrayList<>();
        List<List<Long>> bytes = new ArrayList<>();
        for (int i = 0; i < stages.length; i++) {
            cpu.add(new ArrayList<>());
            bytes.add(new ArrayList<>());
        }
        RuntimeSnapshot previous = null;
        for (int round = 0; round < ROUNDS; round++) {
            Stages t = new Stages();
            YamlResourceLoader.Result resources = read.apply(round);
            t.mark();
            ConfigLoader.Result result = loader.translate(resources, round + 1, false);
            t.mark();
            RuntimeSnapshot runtime = compiler.compile(result.translation().snapshot(), previous);
            t.mark();
            metrics.bind(runtime);
            t.mark();
            loader.check(resources.resources(), result.translation());
            t.mark();
            health.retain(runtime.clusters().values());
            t.mark();
            assertThat(result.hasErrors()).as("%s", result.diagnostics()).isFalse();
            assertThat(result.translation().snapshot().clusters()).hasSize(clusters);
            previous = runtime;
            if (round >= WARMUP) {
                for (int i = 0; i < stages.length; i++) {
                    cpu.get(i).add(t.cpu.get(i));
                    bytes.get(i).add(t.bytes.get(i));
                }
            }
        }
        StringBuilder out = new StringBuilder("reload cost, " + title + ": CPU of the control thread and bytes it "
                + "allocated, median / max of " + (ROUNDS - WARMUP) + " warm reloads\n");
        for (int i = 0; i < stages.length; i++) {
            // ScaleBench's median and max read nanoseconds as ms, and so bytes as MB
            out.append("  %s: %.1f / %.1f ms, %.1f / %.1f MB%n".formatted(stages[i], ScaleBench.median(cpu.get(i)),
                    ScaleBench.max(cpu.get(i)), ScaleBench.median(bytes.get(i)),
                    ScaleBench.max(bytes.get(i))));
        }
        System.out.print(out);
    }

    /** CPU time and allocation of this thread between marks. */
    private static final class Stages {
        private static final com.sun.management.ThreadMXBean THREADS =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final List<Long> cpu = new ArrayList<>();
        final List<Long> bytes = new ArrayList<>();
        private long lastCpu = THREADS.getCurrentThreadCpuTime();
        private long lastBytes = THREADS.getCurrentThreadAllocatedBytes();

        void mark() {
            long c = THREADS.getCurrentThreadCpuTime();
            long b = THREADS.getCurrentThreadAllocatedBytes();
            cpu.add(c - lastCpu);
            bytes.add(b - lastBytes);
            lastCpu = c;
            lastBytes = b;
        }
    }

    /** A new object for the changed route, the others the same instances: what an informer's cache hands over. */
    private static void changeOneRoute(List<ResourceSet.Entry> entries, String name, String version) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).object() instanceof HTTPRoute r && r.getMetadata().getName().equals(name)) {
                entries.set(i, new ResourceSet.Entry(new HTTPRouteBuilder(r).editSpec().editFirstRule().editFirstFilter()
                        .editRequestHeaderModifier().editFirstSet().withValue(version).endSet()
                        .endRequestHeaderModifier().endFilter().endRule().endSpec().build(),
                        entries.get(i).file(), entries.get(i).document()));
            }
        }
    }
}
