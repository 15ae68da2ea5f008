package dev.gatehouse.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.app.control.ConfigLoader;
import dev.gatehouse.app.control.ControlLoop;
import dev.gatehouse.app.demo.EchoServer;
import dev.gatehouse.app.doctor.AdminDoctor;
import dev.gatehouse.app.doctor.Finding;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.proxy.server.ServerOptions;
import dev.gatehouse.translate.TranslatorOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A real control loop serving a real config on a real port, and the admin API over HTTP in front of it. */
class AdminServerTest {
    static final String TOKEN = "s3cret-token";

    @TempDir
    static Path dir;
    static EchoServer backend;
    static GatewayServer server;
    static ControlLoop control;
    static AdminServer open;
    static AdminServer guarded;
    static int port;
    static final HttpClient client = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        backend = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "backend-1", "default");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("config.yaml"), """
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
                  - {name: web, protocol: HTTP, port: %1$d}
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
                ports: [{name: http, port: %2$d}]
                endpoints:
                - addresses: ["127.0.0.1"]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: echo, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  hostnames: [echo.example.com]
                  rules:
                  - matches: [{path: {type: PathPrefix, value: /v1}}]
                    filters:
                    - type: RequestHeaderModifier
                      requestHeaderModifier: {set: [{name: X-From, value: gatehouse}]}
                    backendRefs: [{name: echo, port: 80, weight: 3}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: shop, namespace: default}
                spec:
                  parentRefs: [{name: edge, sectionName: https}]
                  rules:
                  - backendRefs: [{name: echo, port: 80}]
                """.formatted(port, backend.address().getPort()));
        server = new GatewayServer(new ServerOptions("127.0.0.1", 1, ServerOptions.defaults().headerReadTimeout(),
                ServerOptions.defaults().idleTimeout(), ServerOptions.defaults().connectTimeout(),
                ServerOptions.defaults().defaultBackendTimeout(), ServerOptions.defaults().maxHeaderSize(),
                ServerOptions.defaults().maxInitialLineLength()));
        control = new ControlLoop(dir, new ConfigLoader(new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME)),
                server, Clock.systemUTC());
        assertThat(control.start()).isTrue();
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        Instant since = Instant.parse("2026-01-02T03:04:05Z");
        EndpointHealthView prober = (cluster, ep) -> ep.getPort() == backend.address().getPort()
                ? new EndpointHealth(EndpointHealth.State.UNHEALTHY, "connection refused", since)
                : EndpointHealth.UNKNOWN;
        open = new AdminServer(any, control, AdminSettings.defaults().withHealth(prober)
                .withEndpoint("/metrics", q -> AdminResponse.text(200, "gatehouse_config_generation 1\n")));
        open.start();
        guarded = new AdminServer(any, control, AdminSettings.defaults().withToken(TOKEN));
        guarded.start();
    }

    @AfterAll
    static void stop() {
        open.close();
        guarded.close();
        control.close();
        server.close();
        backend.close();
    }

    static HttpResponse<String> get(AdminServer admin, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.address().getPort() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = get(open, path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        return json.readTree(r.body());
    }

    @Test
    void liveReadyAndConfigAnswerAsText() throws Exception {
        assertThat(get(open, "/live").body()).isEqualTo("live\n");
        assertThat(get(open, "/ready").statusCode()).isEqualTo(200);
        HttpResponse<String> config = get(open, "/config");
        assertThat(config.statusCode()).isEqualTo(200);
        assertThat(config.body()).contains("port: " + port, "cluster: default/echo:80");
    }

    @Test
    void statusIsJsonWithProblemsAndTextOnRequest() throws Exception {
        JsonNode status = getJson("/status");
        JsonNode shop = null;
        for (JsonNode r : status.path("resources")) {
            if (r.path("name").asText().equals("shop")) {
                shop = r;
            }
        }
        assertThat(shop).isNotNull();
        assertThat(shop.path("parents").get(0).path("parentRef").asText()).isEqualTo("Gateway default/edge/https");
        assertThat(shop.path("problems").get(0).asText()).contains("NoMatchingParent");
        HttpResponse<String> text = get(open, "/status?format=text");
        assertThat(text.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
        assertThat(text.body()).contains("kind: HTTPRoute", "reason: NoMatchingParent");
    }

    @Test
    void routesListListenersWithRulesAndTheUnattached() throws Exception {
        JsonNode routes = getJson("/routes");
        JsonNode listener = routes.path("listeners").get(0);
        assertThat(listener.path("id").asText()).isEqualTo("default/edge/web");
        assertThat(listener.path("port").asInt()).isEqualTo(port);
        JsonNode echo = listener.path("routes").get(0);
        assertThat(echo.path("route").asText()).isEqualTo("default/echo");
        assertThat(echo.path("hostnames").get(0).asText()).isEqualTo("echo.example.com");
        JsonNode rule = echo.path("rules").get(0);
        assertThat(rule.path("matches").get(0).asText()).isEqualTo("PathPrefix /v1");
        assertThat(rule.path("filters").get(0).path("type").asText()).isEqualTo("RequestHeaderModifier");
        assertThat(rule.path("backends").get(0).path("cluster").asText()).isEqualTo("default/echo:80");
        assertThat(rule.path("backends").get(0).path("weight").asInt()).isEqualTo(3);
        JsonNode unattached = routes.path("unattached").get(0);
        assertThat(unattached.path("route").asText()).isEqualTo("default/shop");
        assertThat(unattached.path("reason").asText()).isEqualTo("NoMatchingParent");
    }

    @Test
    void backendsCarryHealthFromThePluggedInView() throws Exception {
        JsonNode cluster = getJson("/backends").path("clusters").get(0);
        assertThat(cluster.path("name").asText()).isEqualTo("default/echo:80");
        assertThat(cluster.path("ready").asInt()).isEqualTo(1);
        assertThat(cluster.path("unhealthy").asInt()).isEqualTo(1);
        assertThat(cluster.path("usedBy").get(0).asText()).isEqualTo("default/echo");
        assertThat(cluster.path("algorithm").asText()).isEqualTo("RoundRobin");
        JsonNode ep = cluster.path("endpoints").get(0);
        assertThat(ep.path("address").asText()).isEqualTo("127.0.0.1:" + backend.address().getPort());
        assertThat(ep.path("health").asText()).isEqualTo("UNHEALTHY");
        assertThat(ep.path("lastError").asText()).isEqualTo("connection refused");
        assertThat(ep.path("since").asText()).isEqualTo("2026-01-02T03:04:05Z");
    }

    @Test
    void withoutAProberEveryEndpointIsUnknown() throws Exception {
        HttpResponse<String> r = get(guarded, "/backends", "Authorization", "Bearer " + TOKEN);
        assertThat(json.readTree(r.body()).path("clusters").get(0).path("endpoints").get(0).path("health").asText())
                .isEqualTo("UNKNOWN");
    }

    @Test
    void reloadsAreJson() throws Exception {
        JsonNode reloads = getJson("/reloads");
        assertThat(reloads.path("ready").asBoolean()).isTrue();
        assertThat(reloads.path("generation").asLong()).isPositive();
        JsonNode first = reloads.path("reloads").get(0);
        assertThat(first.path("applied").asBoolean()).isTrue();
        assertThat(Instant.parse(first.path("at").asText())).isBefore(Instant.now().plusSeconds(1));
    }

    @Test
    void explainJoinsTheMatchWithTheConditionsOfUnattachedRoutes() throws Exception {
        String url = URLEncoder.encode("http://echo.example.com:" + port + "/v1/a", StandardCharsets.UTF_8);
        JsonNode a = getJson("/explain?method=GET&url=" + url + "&header=" + URLEncoder.encode("X-A: 1", StandardCharsets.UTF_8));
        assertThat(a.path("explanation").path("outcome").path("kind").asText()).isEqualTo("PROXIED");
        assertThat(a.path("explanation").path("matchedRule").path("name").asText()).isEqualTo("echo");
        assertThat(a.path("unattached").get(0).path("message").asText())
                .isEqualTo("no listener matches sectionName https; listeners are: web");
        assertThat(a.path("text").asText()).contains("MATCHED HTTPRoute default/echo", "X-A: 1");

        HttpResponse<String> text = get(open, "/explain?format=text&url="
                + URLEncoder.encode("http://nope.example.com:" + port + "/", StandardCharsets.UTF_8));
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.body()).contains("404 no route",
                "note: HTTPRoute default/shop not attached to Gateway default/edge/https: NoMatchingParent");
    }

    @Test
    void errorsAreJsonWithFittingStatusCodes() throws Exception {
        HttpResponse<String> bad = get(open, "/explain?url=" + URLEncoder.encode("ftp://x/", StandardCharsets.UTF_8));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json.readTree(bad.body()).path("error").asText()).contains("scheme must be http or https");
        HttpResponse<String> missing = get(open, "/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json.readTree(missing.body()).path("error").asText()).contains("/nope");
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + open.address().getPort() + "/status"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void doctorThroughTheAdminApiSeesUnattachedRoutesAndUnhealthyBackends() throws Exception {
        URI admin = URI.create("http://127.0.0.1:" + open.address().getPort());
        List<Finding> findings = new AdminDoctor().check(admin, null);
        assertThat(findings).extracting(Finding::check).containsExactlyInAnyOrder("unattached-route", "no-ready-endpoints");
        assertThat(findings).filteredOn(f -> f.check().equals("unattached-route")).singleElement()
                .satisfies(f -> assertThat(f.what()).contains("Gateway default/edge/https: NoMatchingParent"));
        assertThat(findings).filteredOn(f -> f.check().equals("no-ready-endpoints")).singleElement()
                .satisfies(f -> assertThat(f.what()).contains("every endpoint of backend default/echo:80 fails"));

        URI guardedAdmin = URI.create("http://127.0.0.1:" + guarded.address().getPort());
        assertThat(new AdminDoctor().check(guardedAdmin, TOKEN)).extracting(Finding::check)
                .containsExactly("unattached-route");
        assertThatThrownBy(() -> new AdminDoctor().check(guardedAdmin, null)).isInstanceOf(IOException.class)
                .hasMessageContaining("401");
    }

    @Test
    void extraEndpointsPlugIn() throws Exception {
        assertThat(get(open, "/metrics").body()).isEqualTo("gatehouse_config_generation 1\n");
    }

    @Test
    void theTokenGuardsEverythingButLivenessReadinessAndTheStaticPage() throws Exception {
        assertThat(get(guarded, "/live").statusCode()).isEqualTo(200);
        assertThat(get(guarded, "/ready").statusCode()).isEqualTo(200);
        assertThat(get(guarded, "/ui/").statusCode()).isEqualTo(200);
        for (String path : new String[] {"/config", "/status", "/routes", "/backends", "/reloads", "/explain"}) {
            HttpResponse<String> r = get(guarded, path);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).isPresent();
        }
        assertThat(get(guarded, "/routes", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(get(guarded, "/routes", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void theDashboardIsServedFromTheJarWithTypesAndCaching() throws Exception {
        HttpResponse<String> root = get(open, "/");
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location")).hasValue("/ui/");
        Map<String, String> types = Map.of("/ui/", "text/html; charset=utf-8", "/ui/app.js",
                "text/javascript; charset=utf-8", "/ui/app.css", "text/css; charset=utf-8");
        for (Map.Entry<String, String> e : types.entrySet()) {
            HttpResponse<String> r = get(open, e.getKey());
            assertThat(r.statusCode()).as(e.getKey()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).as(e.getKey()).hasValue(e.getValue());
            assertThat(r.headers().firstValue("Cache-Control")).as(e.getKey()).hasValue("no-cache");
        }
        assertThat(get(open, "/ui/").body()).contains("<script src=\"app.js\">");
        assertThat(get(open, "/ui/../pom.xml").statusCode()).isEqualTo(404);
        assertThat(get(open, "/ui/missing.js").statusCode()).isEqualTo(404);
    }
}
