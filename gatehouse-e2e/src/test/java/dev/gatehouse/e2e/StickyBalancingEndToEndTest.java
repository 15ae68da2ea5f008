package dev.gatehouse.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.app.demo.EchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A BackendTrafficPolicy's cookie hash and an HTTPRoute rule's sessionPersistence in the real jar, from YAML: three
 * endpoints of one Service (127.0.0.1-3, same port); each client stays on one of them, and /backends names the
 * algorithm.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StickyBalancingEndToEndTest {
    private static final Pattern POD = Pattern.compile("\"pod\"\\s*:\\s*\"([^\"]+)\"");
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<EchoServer> pods = new ArrayList<>();
    @TempDir
    Path dir;
    private GatewayProcess gateway;
    private int port;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        for (EchoServer p : pods) {
            p.close();
        }
    }

    private record Answer(int status, String pod, List<String> setCookies) { }

    private Answer get(String path, String cookie) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5));
        if (cookie != null) {
            r.header("Cookie", cookie);
        }
        HttpResponse<String> response = client.send(r.build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = POD.matcher(response.body());
        return new Answer(response.statusCode(), m.find() ? m.group(1) : null,
                response.headers().allValues("set-cookie"));
    }

    private static String pair(String setCookie) {
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    @Test
    void aCookieHashAndASessionCookieKeepEachClientOnOneEndpoint() throws Exception {
        EchoServer first = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "pod-1", "default");
        pods.add(first);
        int backendPort = first.address().getPort();
        pods.add(new EchoServer(new InetSocketAddress("127.0.0.2", backendPort), "pod-2", "default"));
        pods.add(new EchoServer(new InetSocketAddress("127.0.0.3", backendPort), "pod-3", "default"));
        port = GatewayProcess.freePort();
        Configs.write(dir.resolve("gateway.yaml"), Configs.base(port) + service(backendPort) + ROUTE_AND_POLICY);
        gateway = GatewayProcess.start(dir, List.of("-Xmx256m"), List.of());

        Set<String> hashedPods = new HashSet<>();
        for (int c = 0; c < 12; c++) {
            Answer firstVisit = get("/hash", null);
            assertThat(firstVisit.status()).isEqualTo(200);
            assertThat(firstVisit.setCookies()).hasSize(1);
            String set = firstVisit.setCookies().get(0);
            assertThat(set).matches("lb=[0-9a-f]{16}; Max-Age=60; SameSite=Strict");
            hashedPods.add(firstVisit.pod());
            for (int i = 0; i < 4; i++) {
                Answer again = get("/hash", pair(set));
                assertThat(again.pod()).as("client " + c).isEqualTo(firstVisit.pod());
                assertThat(again.setCookies()).isEmpty();
            }
        }
        assertThat(hashedPods).as("12 clients over 3 endpoints").hasSizeGreaterThan(1);

        Answer sticky = get("/sticky", null);
        String session = sticky.setCookies().get(0);
        assertThat(session).startsWith("sticky=").endsWith("; Path=/; HttpOnly").doesNotContain("127.0.0");
        Map<String, Integer> withCookie = new TreeMap<>();
        Map<String, Integer> without = new TreeMap<>();
        for (int i = 0; i < 6; i++) {
            withCookie.merge(get("/sticky", pair(session)).pod(), 1, Integer::sum);
            without.merge(get("/sticky", null).pod(), 1, Integer::sum);
        }
        assertThat(withCookie).isEqualTo(Map.of(sticky.pod(), 6));
        assertThat(without).as("round robin without the cookie").hasSize(3);

        HttpResponse<String> backends = client.send(HttpRequest.newBuilder(gateway.admin("/backends")).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, String> algorithms = new TreeMap<>();
        for (JsonNode cluster : new ObjectMapper().readTree(backends.body()).path("clusters")) {
            algorithms.put(cluster.path("name").asText(), cluster.path("algorithm").asText());
        }
        assertThat(algorithms).containsEntry("default/echo:80@default/sticky-hash",
                "ConsistentHash(Cookie lb, Maglev 65537)").containsEntry("default/echo:80", "RoundRobin");
    }

    private static String service(int port) {
        return """
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
                ports: [{name: http, port: %d}]
                endpoints:
                - addresses: ["127.0.0.1"]
                - addresses: ["127.0.0.2"]
                - addresses: ["127.0.0.3"]
                """.formatted(port);
    }

    private static final String ROUTE_AND_POLICY = """
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: web, namespace: default}
            spec:
              parentRefs: [{name: edge}]
              rules:
              - name: hashed
                matches: [{path: {type: PathPrefix, value: /hash}}]
                backendRefs: [{name: echo, port: 80}]
              - name: sticky
                matches: [{path: {type: PathPrefix, value: /sticky}}]
                sessionPersistence: {sessionName: sticky, type: Cookie}
                backendRefs: [{name: echo, port: 80}]
            ---
            apiVersion: gatehouse.dev/v1alpha1
            kind: BackendTrafficPolicy
            metadata: {name: sticky-hash, namespace: default}
            spec:
              targetRefs:
              - {group: gateway.networking.k8s.io, kind: HTTPRoute, name: web, sectionName: hashed}
              loadBalancer:
                type: ConsistentHash
                consistentHash:
                  type: Cookie
                  cookie:
                    name: lb
                    ttl: 60s
                    attributes: {SameSite: Strict}
            """;
}
