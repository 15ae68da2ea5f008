package dev.gatehouse.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.app.demo.EchoServer;
import dev.gatehouse.e2e.TestCertificates.KeyForm;
import dev.gatehouse.e2e.TestCertificates.Pem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ListenerSets against the real jar, with curl as the client: Gateway default/edge has one HTTPS listener and
 * takes ListenerSets from namespaces labelled gateway-access=granted. Namespace team is; its ListenerSet brings an
 * HTTPS listener on the Gateway's port with the team's own certificate (a Secret of namespace team), and its
 * route, attached to the ListenerSet, answers for the team's hostname. Namespace rogue is not labelled: its
 * ListenerSet, certificate and route are not served, and the status says why.
 */
class ListenerSetEndToEndTest {
    @TempDir
    static Path dir;

    static EchoServer echo;
    static GatewayProcess gateway;
    static int port;
    static Pem edge;
    static Pem team;
    static Pem rogue;

    @BeforeAll
    static void start() throws Exception {
        edge = TestCertificates.create(dir, "edge", KeyForm.PKCS8_RSA, "DNS:edge.example.com");
        team = TestCertificates.create(dir, "team", KeyForm.SEC1_EC, "DNS:app.team.example");
        rogue = TestCertificates.create(dir, "rogue", KeyForm.PKCS8_RSA, "DNS:rogue.example");
        echo = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "echo", "default");
        port = GatewayProcess.freePort();
        String config = Configs.gateway("""
                  - {name: https, protocol: HTTPS, port: %d, hostname: edge.example.com, tls: {certificateRefs: [{name: edge}]}}
                  allowedListeners:
                    namespaces: {from: Selector, selector: {matchLabels: {gateway-access: granted}}}
                """.formatted(port))
                + edge.secret()
                + Configs.service("echo", echo.address().getPort())
                + route("default", "Gateway", "edge", "edge")
                + teamOf("team", "app.team.example", team, "gateway-access: granted")
                + teamOf("rogue", "rogue.example", rogue, "gateway-access: denied");
        Configs.write(dir.resolve("gateway.yaml"), config);
        gateway = GatewayProcess.start(dir, "-Xmx256m");
    }

    /** A namespace with a ListenerSet of one HTTPS listener on the Gateway's port, its Secret, Service and route. */
    private static String teamOf(String namespace, String hostname, Pem cert, String label) {
        return """
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: %1$s, labels: {%2$s}}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: ListenerSet
                metadata: {name: %1$s-tls, namespace: %1$s}
                spec:
                  parentRef: {name: edge, namespace: default}
                  listeners:
                  - {name: https, protocol: HTTPS, port: %3$d, hostname: %4$s, tls: {certificateRefs: [{name: %5$s}]}}
                """.formatted(namespace, label, port, hostname, cert.name())
                + inNamespace(cert.secret(), namespace)
                + inNamespace(Configs.service("echo", echo.address().getPort()), namespace)
                + route(namespace, "ListenerSet", namespace + "-tls", namespace);
    }

    private static String inNamespace(String yaml, String namespace) {
        return yaml.replace("namespace: default", "namespace: " + namespace);
    }

    /** Everything to echo, marking the response with who served it. */
    private static String route(String namespace, String parentKind, String parent, String mark) {
        return """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: app, namespace: %s}
                spec:
                  parentRefs: [{group: gateway.networking.k8s.io, kind: %s, name: %s}]
                  rules:
                  - filters:
                    - type: ResponseHeaderModifier
                      responseHeaderModifier:
                        set: [{name: X-Served-By, value: %s}]
                    backendRefs: [{name: echo, port: 80}]
                """.formatted(namespace, parentKind, parent, mark);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (echo != null) {
            echo.close();
        }
    }

    @Test
    void theTeamsHostnameIsServedWithItsOwnCertificateOnTheGatewaysPortByTheRouteOfItsListenerSet() throws Exception {
        for (String version : new String[] {"--http2", "--http1.1"}) {
            // curl trusts the team's certificate only: another one fails the handshake
            Curl.Result r = curl(version, "app.team.example", team);
            assertThat(r.exit()).as(version + ": " + r.stderr()).isZero();
            assertThat(r.stdout().toLowerCase(Locale.ROOT)).as(version).contains(" 200", "x-served-by: team");
        }
        Curl.Result own = curl("--http2", "edge.example.com", edge);
        assertThat(own.exit()).as(own.stderr()).isZero();
        assertThat(own.stdout().toLowerCase(Locale.ROOT)).contains(" 200", "x-served-by: edge");
    }

    @Test
    void aListenerSetTheGatewayDoesNotAllowIsNotServedAndItsStatusSaysWhy() throws Exception {
        Curl.Result r = curl("--http1.1", "rogue.example", rogue);
        assertThat(r.exit()).as("rogue's certificate must not be served: " + r.stdout()).isNotZero();
        Curl.Result insecure = Curl.run("--http1.1", "-k", "--resolve", "rogue.example:" + port + ":127.0.0.1",
                "-D", "-", "-o", "/dev/null", "https://rogue.example:" + port + "/hello");
        assertThat(insecure.stdout().toLowerCase(Locale.ROOT)).doesNotContain("x-served-by: rogue");

        JsonNode resources = new ObjectMapper().readTree(HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(gateway.admin("/status")).build(), HttpResponse.BodyHandlers.ofString()).body())
                .path("resources");
        assertThat(find(resources, "ListenerSet", "rogue").toString()).contains("\"NotAllowed\"",
                "Gateway default/edge does not allow ListenerSets from namespace rogue");
        assertThat(find(resources, "ListenerSet", "team").toString()).contains("ListenerSet is accepted",
                "ListenerSet is programmed");
        assertThat(find(resources, "Gateway", "default").toString()).contains("\"ListenerSetsAttached\"");
    }

    private static JsonNode find(JsonNode resources, String kind, String namespace) {
        for (JsonNode r : resources) {
            if (r.path("kind").asText().equals(kind) && r.path("namespace").asText().equals(namespace)) {
                return r;
            }
        }
        throw new AssertionError("no " + kind + " in " + namespace + " in " + resources);
    }

    private static Curl.Result curl(String version, String host, Pem trusted) throws Exception {
        return Curl.run(version, "--cacert", trusted.crt().toString(), "--resolve", host + ":" + port + ":127.0.0.1",
                "-D", "-", "-o", "/dev/null", "https://" + host + ":" + port + "/hello");
    }
}
