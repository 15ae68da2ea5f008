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

/** The exit codes scripts rely on: 0 routed, 1 not routed (404, nothing listening), 2 unusable input. */
class ExplainCommandTest {
    static final Path CASES = Path.of("src/test/resources/explain");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

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

    private int run(String... args) {
        return new CommandLine(new GatehouseCommand()).execute(args);
    }

    @Test
    void aMatchedRequestExitsZeroAndPrintsTheChosenBackend() {
        int code = run("explain", "--config", CASES.resolve("matched.yaml").toString(), "--url",
                "http://shop.example.com:8080/api/items", "-H", "X-Env: prod");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("MATCHED HTTPRoute default/shop rule 0", "default/shop:80",
                "10.0.0.1:9000, 10.0.0.2:9000");
    }

    @Test
    void aRequestThatWouldGet404ExitsOne() {
        int code = run("explain", "-c", CASES.resolve("unattached.yaml").toString(), "--url",
                "http://admin.example.com:8080/");
        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("404 no route",
                "HTTPRoute default/admin not attached to Gateway default/edge/https: NoMatchingParent",
                "listeners are: web");
    }

    @Test
    void aPortWithNoListenerExitsOne() {
        int code = run("explain", "-c", CASES.resolve("matched.yaml").toString(), "--url", "http://shop.example.com:9999/");
        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("no listener on port 9999; ports are 8080");
    }

    @Test
    void aRejectedConfigExitsTwoNamingTheFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: r, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  rules:
                  - matches: [{path: {type: Prefix, value: /}}]
                """);
        int code = run("explain", "-c", dir.toString(), "--url", "http://x:8080/");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("config rejected", "bad.yaml");
    }

    @Test
    void aMalformedUrlExitsTwo() {
        int code = run("explain", "-c", CASES.resolve("matched.yaml").toString(), "--url", "ftp://x/");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("scheme must be http or https");
    }

    /** {@code explain --admin}: the running gateway's /explain (a controller's live config), with the same exit codes. */
    @Test
    void adminExplainsAgainstWhatAGatewayServes() throws Exception {
        java.util.List<String> queries = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer admin = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        admin.createContext("/explain", x -> {
            queries.add(x.getRequestURI().getRawQuery());
            boolean routed = x.getRequestURI().getQuery().contains("/api");
            byte[] body = (routed ? "{\"explanation\": {\"matchedRule\": {\"name\": \"shop\"}}, "
                    + "\"text\": \"MATCHED HTTPRoute default/shop rule 0\\n\"}"
                    : "{\"explanation\": {\"matchedRule\": null}, \"text\": \"404 no route\\n\"}")
                    .getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        admin.start();
        try {
            String at = "127.0.0.1:" + admin.getAddress().getPort();
            assertThat(run("explain", "--admin", at, "--url", "http://shop.example.com:8080/api/items", "-H",
                    "X-Env: prod")).as(err.toString()).isZero();
            assertThat(out.toString()).contains("MATCHED HTTPRoute default/shop rule 0");
            assertThat(queries.get(0)).isEqualTo("method=GET&url=http%3A%2F%2Fshop.example.com%3A8080%2Fapi%2Fitems"
                    + "&header=X-Env%3A+prod");
            assertThat(run("explain", "--admin", at, "--url", "http://shop.example.com:8080/nope")).isEqualTo(1);
            assertThat(out.toString()).contains("404 no route");
        } finally {
            admin.stop(0);
        }
        assertThat(run("explain", "--admin", "127.0.0.1:1", "--url", "http://a.example/")).isEqualTo(2);
        assertThat(err.toString()).contains("cannot reach the admin API at http://127.0.0.1:1: connection refused");
        assertThat(run("explain", CASES.resolve("matched.yaml").toString(), "--admin", "--url", "http://a.example/"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("give a config PATH (or -c PATH) or --admin HOST:PORT, not both");
    }
}
