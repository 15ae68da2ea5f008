package dev.gatehouse.e2e;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code gatehouse run} that cannot start: one line on stderr naming what and the flag, exit 2, no stack trace. */
class StartupErrorsEndToEndTest {
    @TempDir
    Path dir;
    private Path config;

    record Run(int exit, String stderr) {
        List<String> lines() {
            return stderr.lines().toList();
        }
    }

    @BeforeEach
    void config() throws IOException {
        config = dir.resolve("config");
        Files.createDirectories(config);
        Configs.write(config.resolve("gateway.yaml"), Configs.base(GatewayProcess.freePort()));
    }

    private Run run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", GatewayProcess.JAR.toString(), "run", "--config", config.toString(), "--bind", "127.0.0.1"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            // it started instead of failing: stop it, and the assertions below say so
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        return new Run(p.exitValue(), err.get(30, TimeUnit.SECONDS));
    }

    @Test
    void anAdminPortInUseNamesThePortAndTheFlag() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            Run run = run("--admin", "127.0.0.1:" + taken.getLocalPort());
            assertThat(run.exit()).as(run.stderr()).isEqualTo(2);
            assertThat(run.lines()).as(run.stderr()).hasSize(1);
            assertThat(run.stderr()).contains("admin port 127.0.0.1:" + taken.getLocalPort() + " is already in use",
                    "--admin 127.0.0.1:PORT", "--admin off").doesNotContain("Exception");
        }
    }

    @Test
    void anUnknownAccessLogFieldNamesTheValueAndTheFlag() throws Exception {
        Run run = run("--admin", "off", "--access-log", "stdout", "--access-log-fields", "status,colour");
        assertThat(run.exit()).as(run.stderr()).isEqualTo(2);
        assertThat(run.lines()).as(run.stderr()).hasSize(1);
        assertThat(run.stderr()).contains("--access-log-fields", "'colour'").doesNotContain("Exception");
    }

    @Test
    void aSampleRatioOutOfRangeNamesTheFlag() throws Exception {
        Run run = run("--admin", "off", "--trace-sample", "2");
        assertThat(run.exit()).as(run.stderr()).isEqualTo(2);
        assertThat(run.lines()).as(run.stderr()).hasSize(1);
        assertThat(run.stderr()).contains("--trace-sample", "2.0").doesNotContain("Exception");
    }

    @Test
    void anAccessLogThatCannotBeWrittenNamesThePathAndTheFlag() throws Exception {
        Path notAFolder = Files.writeString(dir.resolve("plain-file"), "x");
        Path log = notAFolder.resolve("access.log");
        Run run = run("--admin", "off", "--access-log", log.toString());
        assertThat(run.exit()).as(run.stderr()).isEqualTo(2);
        assertThat(run.lines()).as(run.stderr()).hasSize(1);
        assertThat(run.stderr()).contains(log.toString(), "--access-log").doesNotContain("Exception");
    }
}
