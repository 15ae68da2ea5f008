package dev.gatehouse.app.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code gatehouse doctor DIR}: findings printed with their fixes, exit 1 only for errors. */
class DoctorCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @TempDir
    Path dir;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    private int doctor(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "doctor";
        System.arraycopy(args, 0, all, 1, args.length);
        return new CommandLine(new GatehouseCommand()).execute(all);
    }

    @Test
    void aCleanConfigExitsZero() {
        int code = doctor("src/test/resources/explain/matched.yaml");
        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString()).contains("no problems found");
    }

    @Test
    void errorsExitOneWithTheFix() {
        int code = doctor("src/test/resources/explain/unattached.yaml");
        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("error: HTTPRoute default/admin: not attached to Gateway default/edge/https",
                "  ->  make the parentRef's sectionName/port name a listener", "1 error(s), 0 warning(s)");
    }

    @Test
    void warningsAloneExitZero() throws Exception {
        String yaml = Files.readString(Path.of("src/test/resources/explain/matched.yaml"))
                .replace("targetPort: 9000", "targetPort: 8000");
        Files.writeString(dir.resolve("c.yaml"), yaml);
        int code = doctor(dir.toString());
        assertThat(code).isZero();
        assertThat(out.toString()).contains("warning: Service default/shop: port 80 ('http') has targetPort 8000",
                "0 error(s), 1 warning(s)");
    }

    @Test
    void configOrAdminIsRequiredAndAnUnreachableAdminExitsTwo() {
        assertThat(doctor()).isEqualTo(2);
        assertThat(doctor("--admin", "http://127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read the admin API at http://127.0.0.1:1");
    }
}
