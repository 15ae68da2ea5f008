package dev.gatehouse.e2e;

import dev.gatehouse.app.demo.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What validate and doctor find, a running gateway logs: once per reload, never per request; a GatewayClass that is
 * not ours is in /status.
 */
class ConfigChecksEndToEndTest {
    static final String MISMATCHED_SERVICE = """
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: shop, namespace: default}
            spec:
              ports: [{name: http, port: 80, targetPort: 9000}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: shop-1
              namespace: default
              labels: {kubernetes.io/service-name: shop}
            addressType: IPv4
            ports: [{name: http, port: 9999}]
            endpoints:
            - addresses: ["127.0.0.1"]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: kong}
            spec: {controllerName: konghq.com/kic-gateway-controller}
            """;
    static final String CHECK = "check: warning: Service default/shop: port 80 ('http') has targetPort 9000";
    static final String KONG = "GatewayClass kong: Accepted=Unknown (Pending): controllerName "
            + "konghq.com/kic-gateway-controller is Kong's controller name";

    @TempDir
    Path dir;

    @Test
    void theDoctorsFindingsAreLoggedOncePerReload() throws Exception {
        try (EchoServer echo = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "echo", "default")) {
            int port = GatewayProcess.freePort();
            String config = Configs.base(port) + Configs.service("a", echo.address().getPort()) + MISMATCHED_SERVICE;
            Path file = dir.resolve("gateway.yaml");
            Configs.write(file, config + Configs.route("a", "v1"));
            try (GatewayProcess gateway = GatewayProcess.start(dir, "-Xmx256m")) {
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
                for (int i = 0; i < 5; i++) {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).isEqualTo(200);
                }
                assertThat(count(gateway.log(), CHECK)).as(gateway.log()).isEqualTo(1);
                assertThat(count(gateway.log(), KONG)).as(gateway.log()).isEqualTo(1);
                String status = client.send(HttpRequest.newBuilder(gateway.admin("/status")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(status).contains("\"kind\":\"GatewayClass\",\"namespace\":null,\"name\":\"kong\"",
                        "\"status\":\"Unknown\",\"reason\":\"Pending\"");

                Configs.write(file, config + Configs.route("a", "v2"));
                await().atMost(Duration.ofSeconds(30)).until(() -> gateway.log().contains("serving config generation 2"));
                assertThat(count(gateway.log(), CHECK)).as(gateway.log()).isEqualTo(2);
            }
        }
    }

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
