package dev.gatehouse.app.cli;

import dev.gatehouse.app.observe.GatewayObservability;
import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.Observability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The observability flags of {@code run}/{@code demo} and what they assemble. */
class ObservabilityFlagsTest {
    @Command(name = "probe")
    static final class Probe implements Runnable {
        @Mixin
        GatewayOptions options;

        @Override
        public void run() {
        }
    }

    @TempDir
    Path dir;

    private static ObservabilityFlags parse(String... args) {
        Probe probe = new Probe();
        new CommandLine(probe).parseArgs(args);
        return probe.options.observability;
    }

    private static GatewayObservability build(ObservabilityFlags o) throws Exception {
        return new GatewayObservability(o.metrics, o.accessLog, o.accessLogFields, o.accessLogSample, o.requestId,
                o.trustRequestId, o.otlpEndpoint, o.traceSample, o.debugHeader);
    }

    @Test
    void defaultsAreMetricsAndRequestIdsOnlyAndServeMetrics() throws Exception {
        ObservabilityFlags o = parse();
        try (GatewayObservability g = build(o)) {
            Observability obs = g.observability();
            assertThat(obs.requestIds()).isTrue();
            assertThat(obs.trustRequestId()).isTrue();
            assertThat(obs.debugHeader()).isFalse();
            assertThat(obs.observer()).isSameAs(g.metrics());
            g.reloaded(true, 7);
            String text = new String(g.metricsEndpoint().handle(Map.of()).body());
            assertThat(text).contains("gatehouse_config_reloads_total{result=\"success\"} 1.0", "gatehouse_config_generation 7.0");
        }
    }

    @Test
    void everythingOffIsTheNoopObserver() throws Exception {
        ObservabilityFlags o = parse("--metrics=false", "--request-id=false");
        try (GatewayObservability g = build(o)) {
            assertThat(g.observability().observer()).isSameAs(ExchangeObserver.NOOP);
            assertThat(g.observability().requestIds()).isFalse();
            assertThat(g.metricsEndpoint()).isNull();
        }
    }

    @Test
    void accessLogTracingAndDebugFlagsParse() throws Exception {
        ObservabilityFlags o = parse("--access-log", dir.resolve("a.log").toString(), "--access-log-fields",
                "time,status", "--access-log-sample", "0.25", "--otlp-endpoint", "http://127.0.0.1:1/v1/traces",
                "--trace-sample", "0.1", "--debug-header", "--trust-request-id=false");
        assertThat(o.accessLogSample).isEqualTo(0.25);
        assertThat(o.traceSample).isEqualTo(0.1);
        try (GatewayObservability g = build(o)) {
            assertThat(g.observability().debugHeader()).isTrue();
            assertThat(g.observability().trustRequestId()).isFalse();
            assertThat(g.metrics().scrape()).contains("gatehouse_accesslog_dropped_total");
        }
    }

    @Test
    void badValuesAreRefusedWithTheirName() {
        assertThatThrownBy(() -> build(parse("--access-log", "stdout", "--access-log-fields", "time,nope")))
                .hasMessageContaining("nope");
        assertThatThrownBy(() -> build(parse("--otlp-endpoint", "http://127.0.0.1:1/v1/traces", "--trace-sample", "2")))
                .hasMessageContaining("0.0..1.0");
    }
}
