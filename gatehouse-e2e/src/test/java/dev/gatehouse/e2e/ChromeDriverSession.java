package dev.gatehouse.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium driven through chromedriver with the W3C WebDriver HTTP protocol, straight from the JDK's
 * HttpClient: the handful of commands a dashboard test needs, without a Selenium dependency (which would not
 * resolve offline).
 */
final class ChromeDriverSession implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** The W3C key under which an element reference travels. */
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final Process driver;
    private final Path profile;
    private final URI base;
    private final String session;

    /** @return why the test cannot run here, or {@code null} when both binaries are installed */
    static String unavailableReason() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            return "browser test skipped: needs " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (Debian: apt-get install -y chromium chromium-driver)";
        }
        return null;
    }

    ChromeDriverSession(int width, int height) throws Exception {
        int port = GatewayProcess.freePort();
        this.profile = Files.createTempDirectory("gatehouse-chromium");
        this.driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port)
                .redirectErrorStream(true).redirectOutput(profile.resolveSibling(profile.getFileName() + ".driver.log").toFile())
                .start();
        this.base = URI.create("http://127.0.0.1:" + port);
        awaitDriver();
        ObjectNode caps = json.createObjectNode();
        ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        ObjectNode chrome = always.putObject("goog:chromeOptions");
        chrome.put("binary", CHROMIUM.toString());
        List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=" + width + "," + height)
                .forEach(chrome.putArray("args")::add);
        this.session = call("POST", "/session", caps).path("sessionId").asText();
    }

    private void awaitDriver() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/status")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && json.readTree(r.body()).path("value").path("ready").asBoolean()) {
                    return;
                }
            } catch (IOException notYet) {
                // chromedriver is still starting
            }
            if (!driver.isAlive()) {
                throw new IllegalStateException("chromedriver exited with " + driver.exitValue());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("chromedriver not ready within 20 s");
    }

    private JsonNode call(String method, String path, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                    .header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode value = json.readTree(r.body()).path("value");
        if (r.statusCode() != 200) {
            throw new IllegalStateException("WebDriver " + method + " " + path + ": " + r.statusCode() + " "
                    + value.path("error").asText() + ": " + value.path("message").asText());
        }
        return value;
    }

    private String sessionPath(String rest) {
        return "/session/" + session + rest;
    }

    void open(String url) throws Exception {
        call("POST", sessionPath("/url"), Map.of("url", url));
    }

    /** Runs a script in the page ({@code return ...;}) and answers its value as JSON. */
    JsonNode script(String script, Object... args) throws Exception {
        return call("POST", sessionPath("/execute/sync"), Map.of("script", script, "args", List.of(args)));
    }

    /** Polls {@code script} until it returns a truthy value or {@code timeout} passes; answers the last value. */
    JsonNode await(Duration timeout, String script, Object... args) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode v;
        do {
            v = script(script, args);
            if (truthy(v)) {
                return v;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return v;
    }

    private static boolean truthy(JsonNode v) {
        return v != null && !v.isNull() && !v.isMissingNode() && !(v.isBoolean() && !v.asBoolean())
                && !(v.isTextual() && v.asText().isEmpty()) && !(v.isArray() && v.isEmpty());
    }

    private String element(String css) throws Exception {
        return call("POST", sessionPath("/element"), Map.of("using", "css selector", "value", css)).path(ELEMENT).asText();
    }

    /** Types into an input as a user would (key events, not a value assignment). */
    void type(String css, String text) throws Exception {
        String id = element(css);
        call("POST", sessionPath("/element/" + id + "/clear"), Map.of());
        call("POST", sessionPath("/element/" + id + "/value"), Map.of("text", text));
    }

    void click(String css) throws Exception {
        call("POST", sessionPath("/element/" + element(css) + "/click"), Map.of());
    }

    /** The browser's cookies for the current page, HttpOnly ones included (WebDriver sees them; scripts do not). */
    JsonNode cookies() throws Exception {
        return call("GET", sessionPath("/cookie"), null);
    }

    void screenshot(Path png) throws Exception {
        Files.createDirectories(png.getParent());
        Files.write(png, Base64.getDecoder().decode(call("GET", sessionPath("/screenshot"), null).asText()));
    }

    @Override
    public void close() throws Exception {
        try {
            call("DELETE", sessionPath(""), null);
        } catch (Exception ignored) {
            // the browser may already be gone; the driver is stopped below either way
        }
        driver.destroy();
        if (!driver.waitFor(5, TimeUnit.SECONDS)) {
            driver.destroyForcibly();
        }
        // The profile is a few MB per run; the driver log next to it is kept for a failed run's post-mortem.
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
