package dev.gatehouse.app.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code gatehouse doctor DIR}: findings printed with their fixes, exit 1 only for errors. */
class DoctorCommandTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    Path dir;

    private int doctor(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "doctor";
        System.arraycopy(args, 0, all, 1, args.length);
        return console.run(all);
    }

    @Test
    void aCleanConfigExitsZero() {
        int code = doctor("src/test/resources/explain/matched.yaml");
        assertThat(code).as(console.out()).isZero();
        assertThat(console.out()).contains("no problems found");
    }

    @Test
    void errorsExitOneWithTheFix() {
        int code = doctor("src/test/resources/explain/unattached.yaml");
        assertThat(code).isEqualTo(1);
        assertThat(console.out()).contains("error: HTTPRoute default/admin: not attached to Gateway default/edge/https",
                "  ->  make the parentRef's sectionName/port name a listener", "1 error(s), 0 warning(s)");
    }

    @Test
    void warningsAloneExitZero() throws Exception {
        String yaml = Files.readString(Path.of("src/test/resources/explain/matched.yaml"))
                .replace("targetPort: 9000", "targetPort: 8000");
        Files.writeString(dir.resolve("c.yaml"), yaml);
        int code = doctor(dir.toString());
        assertThat(code).isZero();
        assertThat(console.out()).contains("warning: Service default/shop: port 80 ('http') has targetPort 8000",
                "0 error(s), 1 warning(s)");
    }

    @Test
    void configOrAdminIsRequiredAndAnUnreachableAdminSaysSo() {
        assertThat(doctor()).isEqualTo(2);
        assertThat(console.err()).contains("give a config PATH (or -c PATH) or --admin HOST:PORT");
        assertThat(doctor("--admin", "http://127.0.0.1:1")).isEqualTo(2);
        assertThat(console.err()).contains("gatehouse doctor: cannot reach the admin API at http://127.0.0.1:1: "
                + "connection refused; is gatehouse running with --admin 127.0.0.1:1?").doesNotContain("null");
    }

    @Test
    void adminTakesHostAndPortLikeRunDoes() throws Exception {
        HttpServer admin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        admin.createContext("/status", x -> answer(x, """
                {"resources": [{"kind": "GatewayClass", "namespace": null, "name": "gatehouse", "conditions": [
                  {"type": "Accepted", "status": "Unknown", "reason": "Pending",
                   "message": "controllerName gatehouse.dev/gateway-controler is not gatehouse's"}]}]}"""));
        admin.createContext("/backends", x -> answer(x, "{\"clusters\": []}"));
        admin.start();
        try {
            int code = doctor("--admin", "127.0.0.1:" + admin.getAddress().getPort());
            assertThat(code).as(console.err()).isEqualTo(1);
            assertThat(console.out()).contains("error: GatewayClass gatehouse: controllerName gatehouse.dev/gateway-controler");
        } finally {
            admin.stop(0);
        }
    }

    private static void answer(HttpExchange x, String json) throws java.io.IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(200, body.length);
        x.getResponseBody().write(body);
        x.close();
    }

    @Test
    void aControllerNameTypoIsTheFix() throws Exception {
        String yaml = Files.readString(Path.of("src/test/resources/explain/matched.yaml"))
                .replace("controllerName: gatehouse.dev/gateway-controller", "controllerName: konghq.com/kic-gateway-controller");
        Files.writeString(dir.resolve("c.yaml"), yaml);
        assertThat(doctor("-c", dir.toString())).isEqualTo(1);
        assertThat(console.out()).contains("error: GatewayClass gatehouse: controllerName konghq.com/kic-gateway-controller "
                + "is Kong's controller name", "->  set spec.controllerName: gatehouse.dev/gateway-controller")
                .doesNotContain("set spec.parentRefs");
    }
}
