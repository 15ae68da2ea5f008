package dev.gatehouse.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.app.admin.AdminServer;
import dev.gatehouse.app.admin.AdminSettings;
import dev.gatehouse.app.control.ConfigLoader;
import dev.gatehouse.app.control.ControlLoop;
import dev.gatehouse.app.demo.EchoServer;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.proxy.server.ServerOptions;
import dev.gatehouse.translate.TranslatorOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard against an admin server in this JVM with what the jar does not have yet plugged in: a
 * {@code /metrics} with known numbers ({@link SyntheticMetrics}) and a health prober ({@link ConnectProbeHealth}).
 * Checks the charts' arithmetic, the bearer-token prompt, and an endpoint chip going green -> red when its
 * backend stops. Pins the contract with the metrics engineer: the names and labels the page reads.
 */
class DashboardMetricsBrowserTest {
    static final Path SCREENSHOT = Path.of("target", "ui-metrics-screenshot.png");

    @TempDir
    Path dir;

    @Test
    void chartsFromMetricsTokenPromptAndHealthColours() throws Exception {
        String missing = ChromeDriverSession.unavailableReason();
        if (missing != null) {
            System.out.println(missing);
        }
        Assumptions.assumeTrue(missing == null, missing);

        int port = GatewayProcess.freePort();
        EchoServer backend = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "echo", "default");
        InetSocketAddress endpoint = new InetSocketAddress("127.0.0.1", backend.address().getPort());
        try (ConnectProbeHealth health = new ConnectProbeHealth(endpoint)) {
            Configs.write(dir.resolve("gateway.yaml"), Configs.base(port)
                    + Configs.service("echo", backend.address().getPort()) + Configs.route("echo", "1"));
            GatewayServer server = new GatewayServer(new ServerOptions("127.0.0.1", 1,
                    ServerOptions.defaults().headerReadTimeout(), ServerOptions.defaults().idleTimeout(),
                    ServerOptions.defaults().connectTimeout(), ServerOptions.defaults().defaultBackendTimeout(),
                    ServerOptions.defaults().maxHeaderSize(), ServerOptions.defaults().maxInitialLineLength()));
            ControlLoop control = new ControlLoop(dir, new ConfigLoader(
                    new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME)), server, Clock.systemUTC());
            AdminServer admin = new AdminServer(new InetSocketAddress("127.0.0.1", 0), control,
                    AdminSettings.defaults().withToken("t0ken").withHealth(health)
                            .withEndpoint("/metrics", new SyntheticMetrics()));
            try (server; control; admin; ChromeDriverSession browser = new ChromeDriverSession(1400, 900)) {
                assertThat(control.start()).isTrue();
                admin.start();
                boolean backendRunning = true;
                try {
                    browser.open("http://127.0.0.1:" + admin.address().getPort() + "/ui/");
                    JsonNode prompt = browser.await(Duration.ofSeconds(5),
                            "return !document.getElementById('token-form').hidden;");
                    assertThat(prompt.asBoolean()).as("the page asks for the admin token").isTrue();
                    browser.type("#token", "t0ken");
                    browser.click("#token-form button");

                    JsonNode legends = browser.await(Duration.ofSeconds(15),
                            "const c = document.querySelector(`#charts .chart[data-route='default/all']`);"
                                    + "if (!c) return null;"
                                    + "const l = [...c.querySelectorAll('.legend')].map(e => e.textContent);"
                                    + "return l[0] && !l[0].endsWith(' 0.00') ? l : null;");
                    assertThat(legends.isArray()).as("a chart for default/all with a rate").isTrue();
                    double rate = Double.parseDouble(legends.get(0).asText().replace("requests/s ", ""));
                    // 20 requests per 2-second poll; timers jitter, so allow a wide band around 10/s.
                    assertThat(rate).isBetween(4.0, 25.0);
                    assertThat(legends.get(1).asText()).isEqualTo("5xx 10.0 %");
                    assertThat(legends.get(2).asText()).isEqualTo("p50 5.0 ms · p99 46.0 ms");
                    assertThat(browser.script("return sessionStorage.getItem('gatehouse-admin-token');").asText())
                            .isEqualTo("t0ken");
                    assertThat(browser.script("return [...document.querySelectorAll('#routes .route')]"
                            + ".map(e => e.dataset.route);").toString()).contains("default/all");

                    String chip = "const e = document.querySelector(`#backends .endpoint[data-endpoint='127.0.0.1:"
                            + endpoint.getPort() + "']`);"
                            + "return e ? e.dataset.health + ' ' + getComputedStyle(e).backgroundColor : '';";
                    String chipStartsWith = "return (() => { " + chip + " })().startsWith(arguments[0]) || null;";
                    browser.await(Duration.ofSeconds(5), chipStartsWith, "HEALTHY ");
                    assertThat(browser.script(chip).asText()).as("green while the backend runs")
                            .isEqualTo("HEALTHY rgb(26, 127, 55)");
                    backend.close();
                    backendRunning = false;
                    browser.await(Duration.ofSeconds(10), chipStartsWith, "UNHEALTHY ");
                    assertThat(browser.script(chip).asText()).as("red once it stops")
                            .isEqualTo("UNHEALTHY rgb(207, 34, 46)");
                } finally {
                    browser.screenshot(SCREENSHOT);
                    if (backendRunning) {
                        backend.close();
                    }
                }
            }
        }
    }
}
