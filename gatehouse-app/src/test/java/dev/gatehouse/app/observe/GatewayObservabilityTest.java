package dev.gatehouse.app.observe;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code /metrics} of a process serves beside the gateway's own families. */
class GatewayObservabilityTest {
    /** A HELP line with no text after the family's name. */
    private static final Pattern EMPTY_HELP = Pattern.compile("(?m)^# HELP \\S+\\s*$");

    private static String scrape(GatewayObservability g) throws Exception {
        return new String(g.metricsEndpoint().handle(Map.of()).body(), StandardCharsets.UTF_8);
    }

    @Test
    void metricsIncludeJvmProcessAndAllocatorFamiliesEachWithAHelpText() throws Exception {
        try (GatewayObservability g = new GatewayObservability(true, "off", null, 1.0, true, true, null, 1.0, false)) {
            String text = scrape(g);
            assertThat(text).contains("\njvm_memory_used_bytes{", "\njvm_threads_live_threads ", "\njvm_classes_loaded_classes ",
                    "\nprocess_cpu_usage ", "\nprocess_uptime_seconds ", "\nprocess_files_open_files ",
                    "\nsystem_cpu_count ", "\nnetty_allocator_memory_used{");
            assertThat(EMPTY_HELP.matcher(text).results().map(r -> r.group())).isEmpty();
        }
    }
}
