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

/** {@code validate}, {@code doctor} and {@code explain} on configs that serve nothing, or less than they declare. */
class UnservedListenersCommandTest {
    static final String CLASS = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: gatehouse}
            spec: {controllerName: gatehouse.dev/gateway-controller}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: edge, namespace: default}
            spec:
              gatewayClassName: gatehouse
              listeners:
              - {name: secure, protocol: HTTPS, port: 8443, tls: {certificateRefs: [{name: missing}]}}
            """;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream oldOut;

    @TempDir
    Path dir;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
    }

    private int run(String... args) {
        return new CommandLine(new GatehouseCommand()).execute(args);
    }

    @Test
    void anEmptyFolderIsInvalid() {
        assertThat(run("validate", dir.toString())).as(out.toString()).isEqualTo(1);
        assertThat(out.toString()).contains(dir + ": INVALID: nothing is served: the config has no GatewayClass and no Gateway");
    }

    @Test
    void aGatewayWithoutAUsableListenerServesNothing() throws Exception {
        Files.writeString(dir.resolve("gw.yaml"), CLASS);
        assertThat(run("validate", dir.toString())).as(out.toString()).isEqualTo(1);
        assertThat(out.toString()).contains("listener secure", "Programmed=False reason=Invalid: Listener is not "
                        + "programmed: Secret default/missing does not exist or is not a kubernetes.io/tls Secret with PEM tls.crt and tls.key",
                "INVALID: nothing is served: no listener of Gateway default/edge is programmed");
    }

    @Test
    void anUnservedListenerBesideAnHttpOneIsAProblem() throws Exception {
        Files.writeString(dir.resolve("gw.yaml"), CLASS + "  - {name: web, protocol: HTTP, port: 8080}\n");
        assertThat(run("validate", dir.toString())).as(out.toString()).isEqualTo(3);
        assertThat(out.toString()).contains("Listener is not programmed: Secret default/missing does not exist or is not a kubernetes.io/tls Secret with PEM tls.crt and tls.key");
    }

    @Test
    void doctorCallsNothingServedAnError() throws Exception {
        Files.writeString(dir.resolve("gw.yaml"), CLASS);
        assertThat(run("doctor", dir.toString())).as(out.toString()).isEqualTo(1);
        assertThat(out.toString()).contains("error: config: no listener of Gateway default/edge is programmed",
                "error: Gateway default/edge: listener secure is not served (Invalid: Listener is not programmed: "
                        + "Secret default/missing does not exist or is not a kubernetes.io/tls Secret with PEM tls.crt and tls.key)",
                "fix what the listener's conditions name");
    }

    @Test
    void explainSaysARequestToAnUnservedListenerIsRefused() throws Exception {
        Files.writeString(dir.resolve("gw.yaml"), CLASS + "  - {name: web, protocol: HTTP, port: 8080}\n");
        assertThat(run("explain", "-c", dir.toString(), "--url", "https://shop.example.com:8443/")).isEqualTo(1);
        assertThat(out.toString()).contains("no listener on port 8443; ports are 8080",
                "note: listener default/edge/secure is not served: Listener is not programmed: Secret default/missing "
                        + "does not exist");
    }
}
