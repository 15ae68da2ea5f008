package dev.gatehouse.app.cli;

import dev.gatehouse.routing.route.EncodedSlashPolicy;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --encoded-slashes reject|keep|decode}: keep by default, any case, anything else refused. */
class EncodedSlashesFlagTest {
    @Command(name = "probe")
    static final class Probe implements Runnable {
        @Mixin
        GatewayOptions options;

        @Override
        public void run() {
        }
    }

    private static EncodedSlashPolicy parse(String... args) {
        Probe probe = new Probe();
        new CommandLine(probe).parseArgs(args);
        return probe.options.encodedSlashes;
    }

    @Test
    void keepByDefault() {
        assertThat(parse()).isEqualTo(EncodedSlashPolicy.KEEP);
    }

    @Test
    void eachPolicyInAnyCase() {
        assertThat(parse("--encoded-slashes", "reject")).isEqualTo(EncodedSlashPolicy.REJECT);
        assertThat(parse("--encoded-slashes", "DECODE")).isEqualTo(EncodedSlashPolicy.DECODE);
        assertThat(parse("--encoded-slashes=Keep")).isEqualTo(EncodedSlashPolicy.KEEP);
    }

    @Test
    void anythingElseIsRefused() {
        assertThatThrownBy(() -> parse("--encoded-slashes", "allow"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("reject, keep or decode");
    }
}
