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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SecurityPolicy through the real jar, with curl: API keys (header, query parameter, sanitize, the forwarded client
 * id replacing a spoofed one), htpasswd basic auth ({SHA}, {SSHA}, bcrypt checked off the event loop), an
 * authorization CIDR deny, the consumer in the access log, a rotated Secret going live by hot reload, and a policy
 * whose Secret is missing: Accepted=False/Invalid and its route answers 500 (closed).
 */
class SecurityPolicyEndToEndTest {
    private static final String POLICIES = """
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: keys, namespace: default}
            spec:
              parentRefs: [{name: edge}]
              hostnames: [keys.test]
              rules: [{backendRefs: [{name: echo, port: 80}]}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: basic, namespace: default}
            spec:
              parentRefs: [{name: edge}]
              hostnames: [basic.test]
              rules: [{backendRefs: [{name: echo, port: 80}]}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: broken, namespace: default}
            spec:
              parentRefs: [{name: edge}]
              hostnames: [broken.test]
              rules: [{backendRefs: [{name: echo, port: 80}]}]
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: users, namespace: default}
            stringData:
              .htpasswd: |
                foo:{SHA}Ys23Ag/5IOWqZCw9QGaVDdHwH00=
                bob:{SSHA}AXZ7IyWQbQGYZs+tkB5Gv1Sb1qZzYWx0c2FsdA==
                carol:$2y$10$RvMm0bCeFq8wNOChUsYQH.Z3N/CLxq.ZKYOF0ihl/BKbRJ4FhPgVG
            ---
            apiVersion: gatehouse.dev/v1alpha1
            kind: SecurityPolicy
            metadata: {name: api-keys, namespace: default}
            spec:
              targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: keys}]
              apiKeyAuth:
                credentialRefs: [{name: keys}]
                extractFrom: [{headers: [x-api-key]}, {params: [api_key]}]
                forwardClientIDHeader: x-client-id
                sanitize: true
              authorization:
                defaultAction: Allow
                rules:
                - action: Deny
                  operation: {path: {value: /blocked}}
                  principal: {clientCIDRs: ["127.0.0.0/8"]}
            ---
            apiVersion: gatehouse.dev/v1alpha1
            kind: SecurityPolicy
            metadata: {name: basic, namespace: default}
            spec:
              targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: basic}]
              basicAuth:
                users: {name: users}
                forwardUsernameHeader: x-username
            ---
            apiVersion: gatehouse.dev/v1alpha1
            kind: SecurityPolicy
            metadata: {name: broken, namespace: default}
            spec:
              targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: broken}]
              apiKeyAuth:
                credentialRefs: [{name: no-such-secret}]
                extractFrom: [{headers: [x-api-key]}]
            """;

    @TempDir
    Path dir;

    private static String keys(String client1Key) {
        return """
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: keys, namespace: default}
                stringData: {client1: %s, client2: anothersecret}
                """.formatted(client1Key);
    }

    @Test
    void apiKeysBasicAuthAuthorizationAndFailClosed() throws Exception {
        try (EchoServer echo = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "echo", "default")) {
            int port = GatewayProcess.freePort();
            String config = Configs.base(port) + Configs.service("echo", echo.address().getPort()) + POLICIES;
            Path file = dir.resolve("gateway.yaml");
            Path accessLog = dir.resolve("access.log");
            Configs.write(file, config + keys("supersecret"));
            try (GatewayProcess gateway = GatewayProcess.start(dir, List.of("-Xmx256m"),
                    List.of("--access-log", accessLog.toString()))) {
                String url = "http://127.0.0.1:" + port;

                // API keys: missing, wrong, in a place the policy does not read: 401 with a challenge
                Curl.Result missing = Curl.run("-i", "-H", "Host: keys.test", url + "/");
                assertThat(missing.stdout()).startsWith("HTTP/1.1 401").containsIgnoringCase("www-authenticate: ApiKey")
                        .contains("Client authentication failed.");
                assertThat(Curl.run("-i", "-H", "Host: keys.test", "-H", "x-api-key: nope", url + "/").stdout())
                        .startsWith("HTTP/1.1 401");
                assertThat(Curl.run("-i", "-H", "Host: keys.test", "-H", "authorization: supersecret", url + "/")
                        .stdout()).startsWith("HTTP/1.1 401");
                assertThat(Curl.run("-i", "-H", "Host: keys.test", "--cookie", "x-api-key=supersecret", url + "/")
                        .stdout()).startsWith("HTTP/1.1 401");
                // the right key: forwarded without it (sanitize), with our client id replacing the client's own
                Curl.Result ok = Curl.run("-i", "-H", "Host: keys.test", "-H", "x-api-key: supersecret",
                        "-H", "x-client-id: admin", url + "/hello");
                assertThat(ok.stdout()).startsWith("HTTP/1.1 200").contains("\"x-client-id\":\"client1\"")
                        .doesNotContain("supersecret", "admin");
                Curl.Result byParam = Curl.run("-H", "Host: keys.test", url + "/q?a=1&api_key=anothersecret&b=2");
                assertThat(byParam.stdout()).contains("\"path\":\"/q?a=1&b=2\"", "\"x-client-id\":\"client2\"");
                // authorization: a known client from a denied CIDR on /blocked is 403
                assertThat(Curl.run("-i", "-H", "Host: keys.test", "-H", "x-api-key: supersecret", url + "/blocked")
                        .stdout()).startsWith("HTTP/1.1 403");
                // the consumer in the access log: who got through, and who was identified and then refused;
                // a caller never identified has none
                assertThat(AccessLogLines.await(accessLog, "\"path\":\"/hello\"")).contains("\"consumer\":\"client1\"",
                        "\"auth\":\"allowed\"");
                assertThat(AccessLogLines.await(accessLog, "\"path\":\"/blocked\"")).contains("\"status\":403",
                        "\"consumer\":\"client1\"", "\"auth\":\"denied\"");
                Curl.run("-H", "Host: keys.test", url + "/nobody");
                assertThat(AccessLogLines.await(accessLog, "\"path\":\"/nobody\"")).contains("\"status\":401",
                        "\"auth\":\"unauthenticated\"", "\"consumer\":null");

                // basic auth: {SHA}, {SSHA} and bcrypt (twice: the second from the cache); wrong password 401
                for (String user : List.of("foo:bar", "bob:secret2", "carol:hunter2", "carol:hunter2")) {
                    Curl.Result r = Curl.run("-i", "-H", "Host: basic.test", "-H", "x-username: root", "-u", user,
                            url + "/");
                    assertThat(r.stdout()).as(user).startsWith("HTTP/1.1 200")
                            .contains("\"x-username\":\"" + user.substring(0, user.indexOf(':')) + "\"")
                            .doesNotContain("root");
                }
                Curl.run("-H", "Host: basic.test", "-u", "bob:secret2", url + "/as-bob");
                assertThat(AccessLogLines.await(accessLog, "\"path\":\"/as-bob\"")).contains("\"consumer\":\"bob\"");
                Curl.Result wrong = Curl.run("-i", "-H", "Host: basic.test", "-u", "carol:hunter3", url + "/");
                assertThat(wrong.stdout()).startsWith("HTTP/1.1 401").containsIgnoringCase("www-authenticate: Basic realm=");
                assertThat(Curl.run("-i", "-H", "Host: basic.test", "-u", "nobody:bar", url + "/").stdout())
                        .startsWith("HTTP/1.1 401");

                // a policy whose Secret is missing: its route fails closed, the policy says why
                assertThat(Curl.run("-i", "-H", "Host: broken.test", "-H", "x-api-key: supersecret", url + "/")
                        .stdout()).startsWith("HTTP/1.1 500");
                HttpClient client = HttpClient.newHttpClient();
                String status = client.send(HttpRequest.newBuilder(gateway.admin("/status")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(status).contains("Secret default/no-such-secret does not exist", "Invalid");

                // a rotated key goes live by hot reload: the old one is refused, the new one accepted
                Configs.write(file, config + keys("rotated"));
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
                        Curl.run("-i", "-H", "Host: keys.test", "-H", "x-api-key: rotated", url + "/").stdout()
                                .startsWith("HTTP/1.1 200"));
                assertThat(Curl.run("-i", "-H", "Host: keys.test", "-H", "x-api-key: supersecret", url + "/")
                        .stdout()).startsWith("HTTP/1.1 401");

                String metrics = client.send(HttpRequest.newBuilder(gateway.admin("/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).contains("gatehouse_auth_outcomes_total{outcome=\"unauthenticated\"",
                        "gatehouse_auth_outcomes_total{outcome=\"denied\"", "gatehouse_auth_outcomes_total{outcome=\"error\"",
                        "gatehouse_auth_outcomes_total{outcome=\"allowed\"",
                        // per policy, with bounded labels: kind, policy, outcome
                        "gatehouse_policy_outcomes_total{kind=\"SecurityPolicy\",outcome=\"unauthenticated\",policy=\"default/api-keys\"}",
                        "gatehouse_policy_outcomes_total{kind=\"SecurityPolicy\",outcome=\"denied\",policy=\"default/api-keys\"}",
                        "gatehouse_policy_outcomes_total{kind=\"SecurityPolicy\",outcome=\"allowed\",policy=\"default/basic\"}",
                        "gatehouse_policy_outcomes_total{kind=\"SecurityPolicy\",outcome=\"error\",policy=\"default/broken\"}");
            }
        }
    }
}
