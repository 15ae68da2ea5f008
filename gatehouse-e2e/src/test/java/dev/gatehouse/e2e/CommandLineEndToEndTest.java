package dev.gatehouse.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code gatehouse validate} as a user runs it, on the shipped example and on broken configs. */
class CommandLineEndToEndTest {
    @TempDir
    Path dir;

    record Run(int exit, String output) { }

    static Run gatehouse(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", GatewayProcess.JAR.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void theQuickstartValidates() throws Exception {
        Run run = gatehouse("validate", "../examples/quickstart");
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("HTTPRoute default/echo", "Accepted=True");
    }

    @Test
    void aWrongFieldTypeNamesFileDocumentResourceAndField() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), Configs.base(18080) + Configs.service("s", 3000)
                + Configs.route("s", "x").replace("port: 80}]\n", "port: eighty}]\n"));
        Run run = gatehouse("validate", dir.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.output()).contains("a.yaml", "document 5", "HTTPRoute default/all",
                "spec.rules[0].backendRefs[0].port", "INVALID");
    }

    @Test
    void aRouteToAMissingServiceLoadsButReportsItsCondition() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), Configs.base(18080) + Configs.route("missing", "x"));
        Run run = gatehouse("validate", dir.toString());
        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.output()).contains("ResolvedRefs=False reason=BackendNotFound");
    }
}
