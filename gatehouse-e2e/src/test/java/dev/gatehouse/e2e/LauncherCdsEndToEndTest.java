package dev.gatehouse.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher's class-data archive: made by a training run ({@code ./gatehouse train}, or right after the launcher
 * built the jar), used by every start while it is not older than the jar, never made by a plain start (which must
 * not wait for it), and an archive the JVM cannot use costs a warning, not the start. The launcher and jar are copied to a
 * folder of their own, laid out as in the repository, so that the archive lands there and not in the build's.
 */
class LauncherCdsEndToEndTest {
    @TempDir
    Path root;

    @Test
    void aTrainingRunMakesTheArchiveEveryStartUses() throws Exception {
        Path launcher = install();
        Path archive = root.resolve("gatehouse-app/target/gatehouse.jsa");

        // a plain start with no archive starts at once, without one
        Result plain = run(launcher, List.of(), "--version");
        assertThat(plain.code).as(plain.out).isZero();
        assertThat(plain.out).doesNotContain("training run");
        assertThat(archive).doesNotExist();

        Result first = run(launcher, List.of(), "train");
        assertThat(first.code).as(first.out).isZero();
        assertThat(first.out).contains("training run for the class-data archive");
        assertThat(archive).isNotEmptyFile();
        // served the quickstart, reloaded it, and went through controller mode's first steps
        assertThat(Files.readString(root.resolve("gatehouse-app/target/gatehouse.jsa.log")))
                .contains("serving config generation 2", "connecting to http://127.0.0.1:", "training run done");

        // the classes of the jar come from the archive, not from the jar
        Result next = run(launcher, List.of("-Xlog:class+load=info"), "--version");
        assertThat(next.code).as(next.out).isZero();
        assertThat(next.out).doesNotContain("training run")
                .containsPattern("dev\\.gatehouse\\.app\\.Main source: shared objects file \\(top\\)")
                .containsPattern("dev\\.gatehouse\\.app\\.cli\\.GatehouseCommand source: shared objects file \\(top\\)");

        // an archive older than the jar (a rebuild by mvn) is left unused, not retrained by a start
        Files.setLastModifiedTime(archive, FileTime.from(Instant.now().minusSeconds(3600)));
        Result rebuilt = run(launcher, List.of("-Xlog:class+load=info"), "--version");
        assertThat(rebuilt.code).as(rebuilt.out).isZero();
        assertThat(rebuilt.out).doesNotContain("training run", "shared objects file (top)");
        assertThat(Files.getLastModifiedTime(archive).toInstant()).isBefore(Instant.now().minusSeconds(600));
    }

    @Test
    void anArchiveTheJvmCannotUseCostsAWarningNotTheStart() throws Exception {
        Path launcher = install();
        Files.writeString(root.resolve("gatehouse-app/target/gatehouse.jsa"), "not an archive");
        Files.setLastModifiedTime(root.resolve("gatehouse-app/target/gatehouse.jsa"),
                FileTime.from(Instant.now().plusSeconds(3600)));

        Result r = run(launcher, List.of(), "--version");
        assertThat(r.code).as(r.out).isZero();
        assertThat(r.out).doesNotContain("training run").contains("gatehouse");
    }

    private Path install() throws Exception {
        Path target = Files.createDirectories(root.resolve("gatehouse-app/target"));
        Files.copy(GatewayProcess.JAR, target.resolve("gatehouse.jar"));
        Path launcher = root.resolve("gatehouse");
        Files.copy(GatewayProcess.LAUNCHER, launcher);
        return launcher;
    }

    private record Result(int code, String out) {
    }

    private static Result run(Path launcher, List<String> jvmArgs, String... args) throws Exception {
        ProcessBuilder pb = GatewayProcess.launcher(jvmArgs, true, List.of(args)).redirectErrorStream(true);
        pb.command().set(0, launcher.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as(out).isTrue();
        return new Result(p.exitValue(), out);
    }
}
