package dev.gatehouse.app.cli;

import dev.gatehouse.app.admin.EndpointHealth;
import dev.gatehouse.routing.balance.EndpointHealthRegistry;
import dev.gatehouse.routing.balance.HealthPolicy;
import dev.gatehouse.proxy.health.HealthCheckOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.net.InetSocketAddress;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --health-check-interval/--health-check-timeout} parsing, and the admin view over the registry. */
class HealthCheckFlagsTest {
    @Command(name = "probe")
    static final class Probe implements Runnable {
        @Mixin
        GatewayOptions options;

        @Override
        public void run() {
        }
    }

    private static HealthCheckOptions parse(String... args) {
        Probe probe = new Probe();
        new CommandLine(probe).parseArgs(args);
        return probe.options.healthChecks();
    }

    @Test
    void defaultsAreFiveSecondsAndOneSecond() {
        HealthCheckOptions o = parse();
        assertThat(o.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(o.active()).isTrue();
    }

    @Test
    void upstreamIdleTimeoutDefaultsBelowFiveSecondsAndIsSet() {
        Probe probe = new Probe();
        new CommandLine(probe).parseArgs();
        assertThat(probe.options.upstreamIdleTimeout).isEqualTo(Duration.ofSeconds(4));
        new CommandLine(probe = new Probe()).parseArgs("--upstream-idle-timeout", "1500ms");
        assertThat(probe.options.upstreamIdleTimeout).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void zeroTurnsActiveChecksOff() {
        HealthCheckOptions o = parse("--health-check-interval", "0");
        assertThat(o.active()).isFalse();
        assertThat(o.policy().ejectionTime()).isEqualTo(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @CsvSource({"200ms,200", "5s,5000", "1m,60000", "PT0.5S,500", "0,0"})
    void durationsAsPeopleWriteThem(String text, long millis) {
        assertThat(new DurationConverter().convert(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "fast", "-1s", "1.5s"})
    void otherDurationsAreRefusedWithAHint(String text) {
        assertThatThrownBy(() -> new DurationConverter().convert(text))
                .isInstanceOf(CommandLine.TypeConversionException.class).hasMessageContaining(text);
    }

    @Test
    void aTimeoutBelowOneMillisecondIsRefused() {
        assertThatThrownBy(() -> parse("--health-check-timeout", "0")).hasMessageContaining("timeout");
    }

    @Test
    void theAdminViewReadsTheLastVerdict() {
        EndpointHealthRegistry registry = new EndpointHealthRegistry(HealthPolicy.withActiveChecks());
        InetSocketAddress a = new InetSocketAddress("127.0.0.1", 9001);
        RegistryHealthView view = new RegistryHealthView(registry);
        assertThat(view.of("ns/a:80", a)).isEqualTo(EndpointHealth.UNKNOWN);

        registry.endpoint(a, "ns/a:80").probeFailed("connection refused");
        assertThat(view.of("ns/a:80", a).state()).isEqualTo(EndpointHealth.State.UNKNOWN);
        registry.find(a).probeFailed("connection refused");
        EndpointHealth h = view.of("ns/a:80", a);
        assertThat(h.state()).isEqualTo(EndpointHealth.State.UNHEALTHY);
        assertThat(h.lastError()).isEqualTo("connection refused");
        assertThat(h.since()).isNotNull();
    }
}
