package dev.gatehouse.app.cli;

import dev.gatehouse.app.admin.EndpointHealth;
import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.PassiveHealthCheckSpec;
import dev.gatehouse.routing.balance.EndpointHealthRegistry;
import dev.gatehouse.routing.balance.RoundRobinCluster;
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
import java.util.List;
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
    void unusedServicesAreProbedEveryMinuteUnlessTheFlagSaysOtherwise() {
        assertThat(parse().noTrafficInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(parse().slowsUnused()).isTrue();
        assertThat(parse("--health-check-no-traffic-interval", "2m").noTrafficInterval())
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(parse("--health-check-no-traffic-interval", "0").slowsUnused()).isFalse();
        assertThat(parse("--health-check-interval", "90s").slowsUnused()).isFalse();
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
        RegistryHealthView view = new RegistryHealthView(registry, address -> null);
        assertThat(view.of("ns/a:80", a)).isEqualTo(EndpointHealth.UNKNOWN);

        registry.endpoint(a, "ns/a:80").probeFailed("connection refused");
        assertThat(view.of("ns/a:80", a).state()).isEqualTo(EndpointHealth.State.UNKNOWN);
        registry.find(a).probeFailed("connection refused");
        EndpointHealth h = view.of("ns/a:80", a);
        assertThat(h.state()).isEqualTo(EndpointHealth.State.UNHEALTHY);
        assertThat(h.lastError()).isEqualTo("connection refused");
        assertThat(h.since()).isNotNull();
    }

    @Test
    void theAdminViewShowsTheCheckAndOutlierEjections() {
        EndpointHealthRegistry registry = new EndpointHealthRegistry(HealthPolicy.passiveOnly());
        ClusterSpec spec = new ClusterSpec("ns/a:80@ns/p", List.of(new ClusterSpec.EndpointSpec("127.0.0.1", 9001),
                new ClusterSpec.EndpointSpec("127.0.0.1", 9002)), ClusterSpec.LoadBalancerType.ROUND_ROBIN)
                .withTraffic(new BackendTrafficSpec("ns/p", null, null, new PassiveHealthCheckSpec(2, null, null,
                        false, Duration.ofSeconds(3), Duration.ofSeconds(30), 50), null, null, null, null));
        RoundRobinCluster cluster = RoundRobinCluster.compile(spec, registry);
        InetSocketAddress a = new InetSocketAddress("127.0.0.1", 9001);
        RegistryHealthView view = new RegistryHealthView(registry, address -> "HTTP GET /healthz");
        assertThat(view.of(spec.name(), a).passive()).as("never ejected").isNull();
        assertThat(view.of(spec.name(), a).check()).isEqualTo("HTTP GET /healthz");

        cluster.reportResponse(a, 500);
        cluster.reportResponse(a, 502);
        EndpointHealth h = view.of(spec.name(), a);
        assertThat(h.state()).as("the active verdict is apart").isEqualTo(EndpointHealth.State.UNKNOWN);
        assertThat(h.routable()).isFalse();
        assertThat(h.passive().ejected()).isTrue();
        assertThat(h.passive().reason()).isEqualTo("2 consecutive 5xx, last: 502");
        assertThat(h.passive().remainingMillis()).isBetween(1L, 30_000L);
        assertThat(h.passive().ejections()).isEqualTo(1);
        assertThat(registry.find(a).summary()).startsWith("ejected, ").endsWith(" s left: 2 consecutive 5xx, last: 502");
    }
}
