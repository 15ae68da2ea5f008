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
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one reload costs in CPU, stage by stage, at ScaleBench's size, in this JVM: the resources ScaleBench loads
 * into the mock API server are read once from files, then each round hands them over again with one HTTPRoute
 * replaced by a changed copy, as the informers do, and translates, compiles, binds the meters and runs the doctor's
 * checks, and the health registry's retain (the part of the server's apply that walked every endpoint). CPU time
 * of this thread, so a machine busy with other work moves the figures little (the elapsed time it
 * stretches many times over). Tagged {@code bench}: run it with {@code -DexcludedGroups= -Dtest=ReloadCostBench}.
 */
@Tag("bench")
class ReloadCostBench {
    static final int ROUNDS = 12;
    static final int WARMUP = 4;

    @TempDir
    Path dir;

    @Test
    void oneRouteChangedAtFiveThousandRoutes() throws Exception {
        StringBuilder yaml = new StringBuilder(Configs.base(18080));
        for (int i = 0; i < ScaleBench.ROUTES; i++) {
            yaml.append("\n---\n").append(ScaleBench.service(i))
                    .append("---\n").append(ScaleBench.slice(i, ScaleBench.deadAddresses(i), 9000))
                    .append("---\n").append(ScaleBench.route(i, "1"));
        }
        Files.writeString(dir.resolve("config.yaml"), yaml);
        List<ResourceSet.Entry> entries = new ArrayList<>(new YamlResourceLoader().load(dir).resources().entries());

        ConfigLoader loader = new ConfigLoader(TranslatorOptions.defaults());
        // the server's long-lived registry, as in the gateway: its retain runs on every apply
        EndpointHealthRegistry health = new EndpointHealthRegistry(HealthPolicy.passiveOnly());
        SnapshotCompiler compiler = new SnapshotCompiler(health);
        GatewayMetrics metrics = new GatewayMetrics();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Long> translate = new ArrayList<>();
        List<Long> compile = new ArrayList<>();
        List<Long> bind = new ArrayList<>();
        List<Long> check = new ArrayList<>();
        List<Long> retain = new ArrayList<>();
        RuntimeSnapshot previous = null;
        for (int round = 0; round < ROUNDS; round++) {
            changeOneRoute(entries, "r" + (round * 397 % ScaleBench.ROUTES), String.valueOf(round + 2));
            YamlResourceLoader.Result read = new YamlResourceLoader.Result(new ResourceSet(List.copyOf(entries)), List.of());
            long t0 = threads.getCurrentThreadCpuTime();
            ConfigLoader.Result result = loader.translate(read, round + 1, false);
            long t1 = threads.getCurrentThreadCpuTime();
            RuntimeSnapshot runtime = compiler.compile(result.translation().snapshot(), previous);
            long t2 = threads.getCurrentThreadCpuTime();
            metrics.bind(runtime);
            long t3 = threads.getCurrentThreadCpuTime();
            loader.check(read.resources(), result.translation());
            long t4 = threads.getCurrentThreadCpuTime();
            health.retain(runtime.clusters().values());
            long t5 = threads.getCurrentThreadCpuTime();
            assertThat(result.hasErrors()).isFalse();
            assertThat(result.translation().snapshot().clusters()).hasSize(ScaleBench.ROUTES);
            previous = runtime;
            if (round >= WARMUP) {
                translate.add(t1 - t0);
                compile.add(t2 - t1);
                bind.add(t3 - t2);
                check.add(t4 - t3);
                retain.add(t5 - t4);
            }
        }
        System.out.printf("""
                reload cost: %d HTTPRoutes, %d endpoints, one route changed per reload, CPU of the control thread, \
                median / max of %d warm reloads
                  translate: %.0f / %.0f ms
                  compile: %.0f / %.0f ms
                  bind the meters: %.0f / %.0f ms
                  doctor's checks (after serving): %.0f / %.0f ms
                  the health registry's retain: %.1f / %.1f ms
                """, ScaleBench.ROUTES, ScaleBench.ROUTES * ScaleBench.ENDPOINTS_PER_SERVICE, ROUNDS - WARMUP,
                ScaleBench.median(translate), ScaleBench.max(translate), ScaleBench.median(compile),
                ScaleBench.max(compile), ScaleBench.median(bind), ScaleBench.max(bind), ScaleBench.median(check),
                ScaleBench.max(check), ScaleBench.median(retain), ScaleBench.max(retain));
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
