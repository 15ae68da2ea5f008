package dev.gatehouse.e2e;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher's collector: ParallelGC for the proxy's throughput, G1 for controller mode ({@code run --kubernetes}
 * or {@code --kubeconfig}), whose change latency is bound by collections of the informers' caches
 * (docs/scale.md). A start that fails at once (no such kubeconfig, no such config) is enough: the JVM logs its
 * collector first.
 */
class LauncherGcEndToEndTest {
    @Test
    void controllerModeRunsOnG1AndTheProxyOnParallel() throws Exception {
        assertThat(collector("run", "--kubeconfig", "/nonexistent/kubeconfig")).isEqualTo("G1");
        assertThat(collector("run", "--kubernetes", "--kubeconfig=/nonexistent/kubeconfig")).isEqualTo("G1");
        assertThat(collector("run", "--config", "/nonexistent/config")).isEqualTo("Parallel");
        assertThat(collector("validate", "/nonexistent/config")).isEqualTo("Parallel");
    }

    private static String collector(String... args) throws Exception {
        Process p = GatewayProcess.launcher(List.of("-Xlog:gc"), false, List.of(args)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as(out).isTrue();
        return out.lines().filter(l -> l.contains("[gc] Using ")).findFirst()
                .map(l -> l.substring(l.indexOf("Using ") + 6).trim()).orElse(out);
    }
}
