package dev.gatehouse.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.app.demo.EchoServer;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.MockWebServerWrapper;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SecurityPolicy oidc with the real jar, a real provider (mock-oauth2-server, its interactive login page) and
 * headless Chromium: the browser is sent to the provider, signs in on its page, lands on the protected page (the
 * backend sees the request, with the access token and without our cookies), is let through on the next request by
 * its session cookie, and logout ends the session. Beside it, over plain HTTP: an API client gets 401, a tampered
 * cookie is refused, a callback with a state we never issued is refused, and a second gateway process with the same
 * config (a replica) accepts the first one's session cookie.
 */
class OidcBrowserEndToEndTest {
    private static final String HTML = "text/html,application/xhtml+xml,*/*;q=0.8";
    static final Path SCREENSHOT = Path.of("target", "oidc-screenshot.png");

    @TempDir
    Path dir;

    private static String config(int port, int echoPort, String issuer) {
        return Configs.base(port) + Configs.service("echo", echoPort) + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: app, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  rules: [{backendRefs: [{name: echo, port: 80}]}]
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: app-oidc, namespace: default}
                stringData:
                  client-secret: app-client-secret
                  hmac-secret: 4c0fe0e9b8a34f2d9d8f0f3d5b7e1a2c9e6b3d4f
                ---
                apiVersion: gatehouse.dev/v1alpha1
                kind: SecurityPolicy
                metadata: {name: app-login, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: app}]
                  oidc:
                    provider: {issuer: "%s"}
                    clientID: app
                    clientSecret: {name: app-oidc}
                    cookieSecret: {name: app-oidc}
                    scopes: [profile]
                    forwardAccessToken: true
                """.formatted(issuer);
    }

    @Test
    void browserLogsInAtTheProviderAndIsLetThroughByItsSessionUntilLogout() throws Exception {
        String missing = ChromeDriverSession.unavailableReason();
        if (missing != null) {
            System.out.println(missing);
        }
        Assumptions.assumeTrue(missing == null, missing);

        MockOAuth2Server idp = new MockOAuth2Server(new OAuth2Config(true, null, null, false,
                new OAuth2TokenProvider(), Set.of(), new MockWebServerWrapper()));
        idp.start(InetAddress.getLoopbackAddress(), 0);
        try (EchoServer echo = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "echo", "default")) {
            String issuer = idp.issuerUrl("default").toString();
            int port = GatewayProcess.freePort();
            int replicaPort = GatewayProcess.freePort();
            java.nio.file.Files.createDirectories(dir.resolve("a"));
            java.nio.file.Files.createDirectories(dir.resolve("b"));
            Configs.write(dir.resolve("a/gateway.yaml"), config(port, echo.address().getPort(), issuer));
            Configs.write(dir.resolve("b/gateway.yaml"), config(replicaPort, echo.address().getPort(), issuer));
            Path accessLog = dir.resolve("access.log");
            try (GatewayProcess gateway = GatewayProcess.start(dir.resolve("a"), List.of("-Xmx256m"),
                    List.of("--access-log", accessLog.toString()));
                 GatewayProcess replica = GatewayProcess.start(dir.resolve("b"), "-Xmx256m");
                 ChromeDriverSession browser = new ChromeDriverSession(1200, 900)) {
                String app = "http://127.0.0.1:" + port;
                try {
                    // not logged in: to the provider's login page
                    browser.open(app + "/private/page?tab=1");
                    JsonNode atLogin = browser.await(Duration.ofSeconds(20),
                            "return document.querySelector('input[name=username]') ? location.href : '';");
                    assertThat(atLogin.asText()).startsWith(issuer + "/authorize?")
                            .contains("client_id=app", "code_challenge_method=S256", "scope=openid+profile");

                    // sign in on the provider's page: back on the page first asked for, served by the backend
                    browser.type("input[name=username]", "alice");
                    browser.click("input[type=submit]");
                    JsonNode landed = browser.await(Duration.ofSeconds(20),
                            "return location.href.startsWith(arguments[0]) && document.body.innerText.includes('\"path\"')"
                                    + " ? document.body.innerText : '';", app);
                    assertThat(browser.script("return location.href;").asText()).isEqualTo(app + "/private/page?tab=1");
                    assertThat(landed.asText()).contains("\"path\":\"/private/page?tab=1\"", "\"authorization\":\"Bearer ey")
                            .doesNotContain("AccessToken-", "IdToken-");

                    // the next request passes by the session cookie: no trip to the provider
                    browser.open(app + "/private/next");
                    JsonNode next = browser.await(Duration.ofSeconds(10),
                            "return document.body.innerText.includes('/private/next') ? location.href : '';");
                    assertThat(next.asText()).isEqualTo(app + "/private/next");
                    assertThat(AccessLogLines.await(accessLog, "\"path\":\"/private/next\"")).contains("\"consumer\":\"alice\"");

                    String session = null;
                    for (JsonNode c : browser.cookies()) {
                        if (c.path("name").asText().startsWith("AccessToken-")) {
                            assertThat(c.path("httpOnly").asBoolean()).isTrue();
                            assertThat(c.path("sameSite").asText()).isEqualTo("Lax");
                            session = c.path("name").asText() + "=" + c.path("value").asText();
                        }
                    }
                    assertThat(session).isNotNull();

                    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
                    // a replica with the same config reads the session; a tampered copy is refused
                    assertThat(get(http, "http://127.0.0.1:" + replicaPort + "/private/x", HTML, session).statusCode())
                            .isEqualTo(200);
                    int mid = session.length() - 20;
                    String tampered = session.substring(0, mid) + (session.charAt(mid) == 'A' ? 'B' : 'A')
                            + session.substring(mid + 1);
                    HttpResponse<String> refused = get(http, app + "/private/x", HTML, tampered);
                    assertThat(refused.statusCode()).isEqualTo(302);
                    assertThat(refused.headers().firstValue("location").orElseThrow()).startsWith(issuer + "/authorize?");
                    assertThat(get(http, app + "/private/x", "application/json", tampered).statusCode()).isEqualTo(401);

                    // an API client without a session: 401 with a challenge, never a login page
                    HttpResponse<String> api = get(http, app + "/private/x", "application/json", null);
                    assertThat(api.statusCode()).isEqualTo(401);
                    assertThat(api.headers().firstValue("www-authenticate")).hasValueSatisfying(v ->
                            assertThat(v).startsWith("Bearer"));
                    // a callback whose state we never issued
                    HttpResponse<String> forged = get(http, app + "/oauth2/callback?code=stolen&state="
                            + "A".repeat(43), HTML, session);
                    assertThat(forged.statusCode()).isEqualTo(401);
                    assertThat(forged.body()).contains("state mismatch");

                    // logout clears the session (and visits the provider's end_session_endpoint)
                    browser.open(app + "/logout");
                    browser.await(Duration.ofSeconds(10), "return !location.href.startsWith(arguments[0]);", app);
                    browser.open(app + "/private/page");
                    JsonNode again = browser.await(Duration.ofSeconds(20),
                            "return document.querySelector('input[name=username]') ? location.href : '';");
                    assertThat(again.asText()).startsWith(issuer + "/authorize?");
                } catch (AssertionError | Exception e) {
                    browser.screenshot(SCREENSHOT);
                    throw e;
                }
            }
        } finally {
            idp.shutdown();
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url, String accept, String cookie)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Accept", accept);
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
