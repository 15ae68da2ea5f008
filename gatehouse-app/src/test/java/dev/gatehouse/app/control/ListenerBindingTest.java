package dev.gatehouse.app.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.app.admin.AdminServer;
import dev.gatehouse.app.demo.EchoServer;
import dev.gatehouse.app.doctor.AdminDoctor;
import dev.gatehouse.app.doctor.Finding;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.proxy.server.ServerOptions;
import dev.gatehouse.translate.TranslatorOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A real control loop, data plane and admin API on loopback: what is reported as served is what is bound, a
 * taken port is retried while the other listeners serve, and a config that would serve nothing is refused.
 */
@Timeout(120)
class ListenerBindingTest {
    /** The retries run every few seconds; on a busy machine give them many times that. */
    static final Duration AWAIT = GatewayServer.BIND_RETRY_INTERVAL.multipliedBy(10);

    @TempDir
    Path dir;
    final List<AutoCloseable> open = new ArrayList<>();
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final ObjectMapper json = new ObjectMapper();
    ControlLoop control;
    AdminServer admin;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void aTakenPortIsReportedAndRetriedWhileTheOtherListenerServes() throws Exception {
        EchoServer backend = start(new EchoServer(new InetSocketAddress("127.0.0.1", 0), "backend-1", "default"));
        int free = freePort();
        ServerSocket taken = new ServerSocket();
        taken.bind(new InetSocketAddress("127.0.0.1", 0));
        open.add(taken);
        int blocked = taken.getLocalPort();
        Files.writeString(dir.resolve("config.yaml"), config(backend, free, blocked));
        startGateway();

        assertThat(get("/ready").statusCode()).isEqualTo(200);
        assertThat(proxy(free).statusCode()).isEqualTo(200);
        JsonNode web2 = listener(status(), "web2");
        assertThat(programmed(web2).path("status").asText()).isEqualTo("False");
        assertThat(programmed(web2).path("reason").asText()).isEqualTo("Pending");
        assertThat(programmed(web2).path("message").asText()).isEqualTo("Listener is not programmed: port " + blocked
                + " on 127.0.0.1: Address already in use; retrying every "
                + GatewayServer.BIND_RETRY_INTERVAL.toSeconds() + "s");
        assertThat(programmed(listener(status(), "web")).path("status").asText()).isEqualTo("True");
        List<Finding> findings = new AdminDoctor().check(URI.create("http://127.0.0.1:" + admin.address().getPort()), null);
        assertThat(findings).anySatisfy(f -> {
            assertThat(f.check()).isEqualTo("listener-not-programmed");
            assertThat(f.what()).contains("listener web2", "port " + blocked, "Address already in use");
        });
        String explained = get("/explain?format=text&url=http://a.example:" + blocked + "/").body();
        assertThat(explained).contains("connection refused: port " + blocked + " is not bound");

        taken.close();
        await(() -> programmed(listener(status(), "web2")).path("status").asText().equals("True"));
        assertThat(proxy(blocked).statusCode()).isEqualTo(200);
        assertThat(new AdminDoctor().check(URI.create("http://127.0.0.1:" + admin.address().getPort()), null))
                .noneMatch(f -> f.check().equals("listener-not-programmed"));
    }

    /** The doctor's checks run after the config is served (they only log), so they neither delay nor stop it. */
    @Test
    void aConfigIsServedBeforeItsChecksRunAndEvenWhenTheyFail() throws Exception {
        EchoServer backend = start(new EchoServer(new InetSocketAddress("127.0.0.1", 0), "backend-1", "default"));
        int port = freePort();
        Files.writeString(dir.resolve("config.yaml"), config(backend, port, freePort()));
        Clock broken = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public java.time.Instant instant() {
                throw new IllegalStateException("the checks' clock");
            }
        };
        GatewayServer server = start(new GatewayServer(
                ServerOptions.defaults().withBindAddress("127.0.0.1").withIoThreads(1)));
        control = start(new ControlLoop(dir, new ConfigLoader(new TranslatorOptions(
                TranslatorOptions.DEFAULT_CONTROLLER_NAME, GatewayServer.SERVED_PROTOCOLS), broken), server,
                Clock.systemUTC()));
        assertThat(control.start()).isTrue();
        assertThat(proxy(port).statusCode()).isEqualTo(200);
    }

    @Test
    void deletingEveryFileIsRefusedAndTheLastGoodConfigServes() throws Exception {
        EchoServer backend = start(new EchoServer(new InetSocketAddress("127.0.0.1", 0), "backend-1", "default"));
        int port = freePort();
        Files.writeString(dir.resolve("config.yaml"), config(backend, port, freePort()));
        startGateway();
        assertThat(get("/ready").statusCode()).isEqualTo(200);

        Files.delete(dir.resolve("config.yaml"));
        await(() -> control.history().size() >= 2);
        ReloadEvent refused = control.history().get(0);
        assertThat(refused.applied()).isFalse();
        assertThat(refused.errors()).singleElement().asString()
                .startsWith("nothing is served: the config has no GatewayClass and no Gateway");
        assertThat(get("/reloads").body()).contains("nothing is served");
        assertThat(get("/ready").statusCode()).isEqualTo(200);
        assertThat(proxy(port).statusCode()).isEqualTo(200);

        // a rejected reload opens none of the ports it names
        int newPort = freePort();
        Files.writeString(dir.resolve("config.yaml"), config(backend, port, newPort).replace("hostname: null", "hostnam: x"));
        await(() -> control.history().size() >= 3);
        assertThat(control.history().get(0).applied()).isFalse();
        assertThatThrownBy(() -> new Socket("127.0.0.1", newPort).close()).isInstanceOf(ConnectException.class);
        assertThat(proxy(port).statusCode()).isEqualTo(200);
    }

    @Test
    void readyIsNotReadyWhileNothingIsServed() throws Exception {
        startGateway();
        HttpResponse<String> ready = get("/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).isEqualTo("not ready: nothing is served: the config has no GatewayClass and no Gateway\n");
        assertThat(new AdminDoctor().check(URI.create("http://127.0.0.1:" + admin.address().getPort()), null))
                .anySatisfy(f -> assertThat(f.describe()).isEqualTo("error: config: the config has no GatewayClass and "
                        + "no Gateway: nothing is served and /ready is 503  ->  run 'gatehouse doctor DIR' on the config files"));
    }

    @Test
    void theTranslatorsDefaultIsWhatTheServerBinds() {
        // validate, doctor and explain use the default; run passes GatewayServer's set: they must agree
        assertThat(TranslatorOptions.SERVED_PROTOCOLS).isEqualTo(GatewayServer.SERVED_PROTOCOLS);
    }

    private void startGateway() throws Exception {
        GatewayServer server = start(new GatewayServer(
                ServerOptions.defaults().withBindAddress("127.0.0.1").withIoThreads(1)));
        control = start(new ControlLoop(dir, new ConfigLoader(new TranslatorOptions(
                TranslatorOptions.DEFAULT_CONTROLLER_NAME, GatewayServer.SERVED_PROTOCOLS)), server, Clock.systemUTC()));
        assertThat(control.start()).isTrue();
        admin = start(new AdminServer(new InetSocketAddress("127.0.0.1", 0), control));
        admin.start();
    }

    private <T extends AutoCloseable> T start(T closeable) {
        open.add(closeable);
        return closeable;
    }

    private static String config(EchoServer backend, int port1, int port2) {
        return """
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
                  - {name: web, protocol: HTTP, port: %1$d, hostname: null}
                  - {name: web2, protocol: HTTP, port: %2$d}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: echo, namespace: default}
                spec:
                  ports: [{name: http, port: 80}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: echo-1
                  namespace: default
                  labels: {kubernetes.io/service-name: echo}
                addressType: IPv4
                ports: [{name: http, port: %3$d}]
                endpoints:
                - addresses: ["127.0.0.1"]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: echo, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  rules:
                  - backendRefs: [{name: echo, port: 80}]
                """.formatted(port1, port2, backend.address().getPort());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.address().getPort() + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> proxy(int port) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode status() throws Exception {
        HttpResponse<String> r = get("/status");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    private static JsonNode listener(JsonNode status, String name) {
        for (JsonNode r : status.path("resources")) {
            for (JsonNode l : r.path("listeners")) {
                if (l.path("name").asText().equals(name)) {
                    return l;
                }
            }
        }
        throw new AssertionError("no listener " + name + " in " + status);
    }

    private static JsonNode programmed(JsonNode listener) {
        for (JsonNode c : listener.path("conditions")) {
            if (c.path("type").asText().equals("Programmed")) {
                return c;
            }
        }
        throw new AssertionError("no Programmed condition in " + listener);
    }

    private static void await(ThrowingCondition condition) throws Exception {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!condition.holds()) {
            assertThat(System.nanoTime()).as("condition within %s", AWAIT).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @FunctionalInterface
    interface ThrowingCondition {
        boolean holds() throws Exception;
    }

    private static int freePort() throws Exception {
        return dev.gatehouse.testing.FreePorts.tcp();
    }
}
