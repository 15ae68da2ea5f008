package dev.gatehouse.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.app.demo.EchoServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in headless Chromium against the real jar: routes listed, the explain box answering, and a
 * stopped backend's endpoint chip turning red. Leaves {@code target/ui-screenshot.png} behind as the artifact.
 */
class DashboardBrowserTest {
    static final Path SCREENSHOT = Path.of("target", "ui-screenshot.png");

    @TempDir
    Path dir;

    @Test
    void dashboardShowsRoutesExplainsAndMarksAStoppedBackendUnhealthy() throws Exception {
        String missing = ChromeDriverSession.unavailableReason();
        if (missing != null) {
            System.out.println(missing);
        }
        Assumptions.assumeTrue(missing == null, missing);

        EchoServer v1 = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "echo-v1", "default");
        EchoServer v2 = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "echo-v2", "default");
        int port = GatewayProcess.freePort();
        int v2Port = v2.address().getPort();
        Configs.write(dir.resolve("gateway.yaml"), Configs.base(port)
                + Configs.service("echo-v1", v1.address().getPort())
                + Configs.service("echo-v2", v2Port)
                + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: echo, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  hostnames: [echo.example.com]
                  rules:
                  - matches: [{path: {type: PathPrefix, value: /v1}}]
                    backendRefs: [{name: echo-v1, port: 80}]
                  - matches: [{path: {type: PathPrefix, value: /v2}}]
                    backendRefs: [{name: echo-v2, port: 80}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: shop, namespace: default}
                spec:
                  parentRefs: [{name: edge, sectionName: https}]
                  rules:
                  - backendRefs: [{name: echo-v1, port: 80}]
                """);
        // echo-v2 gets no request here: without the flag its probes would wait --health-check-no-traffic-interval
        try (GatewayProcess gateway = GatewayProcess.start(dir, List.of("-Xmx256m"),
                List.of("--health-check-no-traffic-interval", "0"));
             ChromeDriverSession browser = new ChromeDriverSession(1400, 1100)) {
            try {
                browser.open(gateway.admin("/ui/").toString());

                JsonNode routes = browser.await(Duration.ofSeconds(10),
                        "return [...document.querySelectorAll('#routes .route')].map(e => e.dataset.route);");
                assertThat(routes.toString()).contains("default/echo");
                JsonNode unattached = browser.script(
                        "return [...document.querySelectorAll('#unattached [data-unattached]')].map(e => e.textContent);");
                assertThat(unattached.toString()).contains("default/shop", "NoMatchingParent");
                JsonNode chips = browser.await(Duration.ofSeconds(5),
                        "return [...document.querySelectorAll('#backends .endpoint')].map(e => e.dataset.endpoint);");
                assertThat(chips.toString()).contains("127.0.0.1:" + v1.address().getPort(), "127.0.0.1:" + v2Port);

                browser.type("#explain-url", "http://echo.example.com:" + port + "/v2/hello");
                browser.click("#explain-submit");
                JsonNode outcome = browser.await(Duration.ofSeconds(5),
                        "return document.getElementById('explain-outcome').textContent;");
                assertThat(outcome.asText()).isEqualTo("proxied to cluster default/echo-v2:80");
                assertThat(browser.script("return document.getElementById('explain-output').textContent;").asText())
                        .contains("MATCHED HTTPRoute default/echo rule 1", "note: HTTPRoute default/shop not attached");

                v2.close();
                v2 = null;
                // TODO(lead): this needs the data plane's health checker plugged into the admin API
                // (AdminSettings.withHealth in GatewayRuntime). Until then every endpoint reports UNKNOWN and this
                // assertion fails on purpose: the dashboard cannot show what nobody measures.
                JsonNode health = browser.await(Duration.ofSeconds(15),
                        "const e = document.querySelector(`#backends .endpoint[data-endpoint='${arguments[0]}']`);"
                                + "return e && e.dataset.health === 'UNHEALTHY' ? e.dataset.health : null;",
                        "127.0.0.1:" + v2Port);
                assertThat(health.isNull() ? "still " + browser.script(
                        "const e = document.querySelector(`#backends .endpoint[data-endpoint='${arguments[0]}']`);"
                                + "return e ? e.dataset.health : 'missing';", "127.0.0.1:" + v2Port).asText()
                        : health.asText())
                        .as("endpoint 127.0.0.1:%d of the stopped backend echo-v2 turns red within 15 s", v2Port)
                        .isEqualTo("UNHEALTHY");
                assertThat(browser.script("return getComputedStyle(document.querySelector("
                        + "`#backends .endpoint[data-endpoint='${arguments[0]}']`)).backgroundColor;", "127.0.0.1:" + v2Port)
                        .asText()).isEqualTo("rgb(207, 34, 46)");
            } finally {
                browser.screenshot(SCREENSHOT);
                v1.close();
                if (v2 != null) {
                    v2.close();
                }
            }
        }
    }
}
