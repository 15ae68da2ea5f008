package dev.gatehouse.edge;

import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The io_uring mode the edge asks of Netty. Netty reads it once, when its {@code IoUring} class loads, and this test
 * JVM's other tests may have loaded it already: each case runs {@link Probe} in a JVM of its own, as
 * {@code gatehouse edge} starts.
 */
class EdgeTransportTest {

    @Test
    void ioUringReadPollsAreSingleShot() throws Exception {
        assumeTrue(IoUring.isAvailable(), "io_uring unavailable here: " + IoUring.unavailabilityCause());
        assertThat(probe()).isEqualTo("io_uring pollAddMultishot=false");
    }

    @Test
    void anOperatorsOwnSettingWins() throws Exception {
        assumeTrue(IoUring.isAvailable(), "io_uring unavailable here: " + IoUring.unavailabilityCause());
        assertThat(probe("-D" + EdgeTransport.POLL_ADD_MULTISHOT + "=true")).isEqualTo("io_uring pollAddMultishot=true");
    }

    private static String probe(String... jvmArgs) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("probe JVM finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().reduce((a, b) -> b).orElse("");
    }

    /** Selects the transport as {@code gatehouse edge} does and prints what Netty's io_uring took. */
    static final class Probe {
        public static void main(String[] args) {
            EdgeTransport transport = EdgeTransport.select(EdgeOptions.Transport.AUTO);
            System.out.println(transport.name() + " pollAddMultishot=" + IoUring.isPollAddMultishotEnabled());
        }
    }
}
