package dev.gatehouse.routing.auth.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.ir.JwtSpec;
import dev.gatehouse.ir.OidcSpec;
import dev.gatehouse.ir.SecurityPolicySpec;
import dev.gatehouse.routing.auth.SecurityFilters;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OIDC filter against a real provider (mock-oauth2-server on loopback, non-interactive: its authorization
 * endpoint answers with a code at once): the login redirect with PKCE, state and nonce; the callback's code exchange
 * and ID token check; the session cookie; a tampered cookie, a wrong state, API clients, denyRedirect, pass-through,
 * refresh and logout.
 */
class OidcFilterTest {
    private static final byte[] KEY = new byte[32];
    private MockOAuth2Server idp;
    private String issuer;
    private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeEach
    void start() {
        OidcProvider.forgetAll();
        idp = new MockOAuth2Server();
        idp.start(InetAddress.getLoopbackAddress(), 0);
        issuer = idp.issuerUrl("default").toString();
    }

    @AfterEach
    void stop() {
        idp.shutdown();
    }

    private OidcSpec spec(boolean passThrough, List<OidcSpec.HeaderMatch> deny, String sameSite) {
        return spec(passThrough, deny, sameSite, true);
    }

    private OidcSpec spec(boolean passThrough, List<OidcSpec.HeaderMatch> deny, String sameSite,
                          boolean forwardAccessToken) {
        return new OidcSpec(new OidcSpec.Provider(issuer, null, null, null), "web-app",
                new OidcSpec.Credentials("secret", KEY, "default/client"), List.of("openid", "email"), List.of(),
                null, "/oauth2/callback", "/logout", forwardAccessToken, null, true, null, Duration.ofDays(7),
                Duration.ofMinutes(10), "AccessToken-test", "IdToken-test", null, sameSite, deny, passThrough);
    }

    private static HttpExchange exchange(String uri, String... headers) {
        return exchange("http", uri, (String[]) headers);
    }

    private static HttpExchange https(String uri, String... headers) {
        return exchange("https", uri, headers);
    }

    private static HttpExchange exchange(String scheme, String uri, String[] headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        r.headers().set("host", "app.test:8080");
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        int q = uri.indexOf('?');
        return new HttpExchange(r, scheme, 8080, new InetSocketAddress("127.0.0.1", 5555), "app.test",
                q < 0 ? uri : uri.substring(0, q), q < 0 ? null : uri.substring(q + 1));
    }

    /**
     * What the filter answered: status, Location, Set-Cookie and WWW-Authenticate (the response released), or null
     * when it went on.
     */
    private record Answer(int status, String location, List<String> cookies, String body, String challenge) {
        String cookie(String prefix) {
            return cookies.stream().filter(c -> c.startsWith(prefix)).map(c -> c.substring(0, c.indexOf(';')))
                    .findFirst().orElseThrow();
        }
    }

    private static Answer run(OidcFilter filter, HttpExchange ex) throws Exception {
        return run(List.of(filter), ex);
    }

    /** {@code filters} in order, as the proxy runs a route's (a suspension waited for); the first answer counts. */
    private static Answer run(List<HttpFilter> filters, HttpExchange ex) throws Exception {
        for (HttpFilter f : filters) {
            FilterResult r = f.onRequest(ex);
            while (r instanceof FilterResult.Suspend s) {
                r = s.resume().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            if (r instanceof FilterResult.Respond respond) {
                FullHttpResponse response = respond.response();
                try {
                    return new Answer(response.status().code(), response.headers().get("location"),
                            response.headers().getAll("set-cookie"),
                            response.content().toString(java.nio.charset.StandardCharsets.UTF_8),
                            response.headers().get("www-authenticate"));
                } finally {
                    response.release();
                }
            }
        }
        return null;
    }

    private static final String HTML = "text/html,application/xhtml+xml,*/*;q=0.8";

    /** A whole login: the redirect, the provider's answer, the callback; returns the session's cookies. */
    private String login(OidcFilter filter) throws Exception {
        Answer done = login(filter, "/private/page?x=1");
        assertThat(done.status()).as(done.body()).isEqualTo(302);
        assertThat(done.location()).isEqualTo("/private/page?x=1");
        return done.cookie("AccessToken-test=") + "; " + done.cookie("IdToken-test=");
    }

    /** A login from {@code uri} up to the callback's answer. */
    private Answer login(OidcFilter filter, String uri) throws Exception {
        Answer redirect = run(filter, exchange(uri, "accept", HTML));
        assertThat(redirect.status()).isEqualTo(302);
        URI authorize = URI.create(redirect.location());
        assertThat(authorize.toString()).startsWith(issuer + "/authorize?response_type=code&client_id=web-app")
                .contains("redirect_uri=http%3A%2F%2Fapp.test%3A8080%2Foauth2%2Fcallback", "scope=openid+email",
                        "&state=", "&nonce=", "&code_challenge=", "code_challenge_method=S256");
        String stateCookie = redirect.cookie("AccessToken-test-state-");
        assertThat(redirect.cookies().get(0)).contains("HttpOnly", "SameSite=Lax", "Max-Age=600")
                .doesNotContain("Secure");

        HttpResponse<String> provider = browser.send(java.net.http.HttpRequest.newBuilder(authorize).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(provider.statusCode()).isEqualTo(302);
        URI callback = URI.create(provider.headers().firstValue("location").orElseThrow());
        assertThat(callback.getPath()).isEqualTo("/oauth2/callback");

        Answer done = run(filter, exchange(callback.getRawPath() + "?" + callback.getRawQuery(), "accept", HTML,
                "cookie", "other=1; " + stateCookie));
        assertThat(done.cookies()).anySatisfy(c -> assertThat(c).startsWith(stateCookie.substring(0,
                stateCookie.indexOf('=') + 1) + ";").contains("Max-Age=0"));
        return done;
    }

    @Test
    void logsInWithPkceStateAndNonceThenPassesBySessionCookie() throws Exception {
        OidcFilter filter = new OidcFilter("default/web", spec(false, List.of(), "Lax"), Map.of("user1", List.of("staff")));
        String session = login(filter);

        HttpExchange next = exchange("/private/other", "accept", HTML, "cookie", "theme=dark; " + session);
        assertThat(run(filter, next)).isNull();
        assertThat(next.consumer()).isNotEmpty();
        assertThat(next.request().headers().get("authorization")).startsWith("Bearer ey");
        assertThat(next.request().headers().get("cookie")).isEqualTo("theme=dark");

        // the provider saw PKCE: the token request carried the verifier whose S256 the authorization request had
        String verifierBody = null;
        for (int i = 0; i < 4 && verifierBody == null; i++) {
            String body = idp.takeRequest(5, TimeUnit.SECONDS).getBody().readUtf8();
            verifierBody = body.contains("code_verifier=") ? body : null;
        }
        assertThat(verifierBody).contains("grant_type=authorization_code", "client_secret=secret");
    }

    @Test
    void aTamperedCookieAWrongStateAndApiClientsAreRefused() throws Exception {
        OidcFilter filter = new OidcFilter("default/web", spec(false, List.of(), "Lax"), Map.of());
        String session = login(filter);
        String value = session.substring("AccessToken-test=".length(), session.indexOf(';'));
        int mid = value.length() / 2;
        String tampered = value.substring(0, mid) + (value.charAt(mid) == 'A' ? 'B' : 'A') + value.substring(mid + 1);

        assertThat(run(filter, exchange("/private", "accept", HTML, "cookie", "AccessToken-test=" + tampered))
                .status()).isEqualTo(302);
        Answer api = run(filter, exchange("/private", "accept", "application/json",
                "cookie", "AccessToken-test=" + tampered));
        assertThat(api.status()).isEqualTo(401);
        assertThat(run(filter, exchange("/private")).status()).isEqualTo(401);

        // a callback whose state no state cookie of ours carries
        Answer redirect = run(filter, exchange("/private", "accept", HTML));
        String stateCookie = redirect.cookie("AccessToken-test-state-");
        Answer wrong = run(filter, exchange("/oauth2/callback?code=abc&state=" + "x".repeat(43), "accept", HTML,
                "cookie", stateCookie));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).contains("state mismatch");
        Answer denied = run(filter, exchange("/oauth2/callback?error=access_denied&state=abc", "accept", HTML));
        assertThat(denied.status()).isEqualTo(401);
        assertThat(denied.body()).contains("access_denied");
    }

    @Test
    void denyRedirectAndPassThroughAuthHeader() throws Exception {
        OidcFilter filter = new OidcFilter("default/web", spec(true, List.of(
                new OidcSpec.HeaderMatch("x-requested-with", OidcSpec.MatchType.EXACT, "XMLHttpRequest"),
                new OidcSpec.HeaderMatch(":path", OidcSpec.MatchType.REGULAR_EXPRESSION, "/api/.*")), "Lax"), Map.of());
        assertThat(run(filter, exchange("/page", "accept", HTML, "x-requested-with", "XMLHttpRequest")).status())
                .isEqualTo(401);
        assertThat(run(filter, exchange("/api/v1", "accept", HTML)).status()).isEqualTo(401);
        assertThat(run(filter, exchange("/page", "accept", HTML)).status()).isEqualTo(302);
        // left to the jwt method
        assertThat(run(filter, exchange("/api/v1", "authorization", "Bearer abc"))).isNull();
    }

    @Test
    void besideJwtASessionStandsInForTheTokenAndAPassedThroughBearerIsVerified() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("api-1").generate();
        JwtSpec jwt = new JwtSpec(false, false, null, List.of(new JwtSpec.Provider("api", "https://api.test",
                List.of("api"), new JwtSpec.LocalJwks("inline", new JWKSet(key.toPublicJWK()).toString()), null,
                List.of(), List.of(new JwtSpec.Location(SecurityPolicySpec.Source.HEADER, "authorization", "Bearer ")))));
        OidcSpec oidc = spec(true, List.of(), "Lax", false);
        List<HttpFilter> policy = SecurityFilters.compile(new SecurityPolicySpec("default/web", null, null, null, null,
                null, Map.of(), null, jwt, oidc, null));
        assertThat(policy.get(1).describe()).contains("unless an oidc session stands in for a missing token");
        String session = login(new OidcFilter("default/web", oidc, Map.of()));

        // a browser with a session and no token: EG lets the missing JWT through, the consumer is the session's sub
        HttpExchange browser = exchange("/private", "accept", HTML, "cookie", session);
        assertThat(run(policy, browser)).isNull();
        assertThat(browser.consumer()).isNotEmpty();

        // no session, no token: the OIDC login answers (an API client gets its 401), not the jwt check
        Answer api = run(policy, exchange("/private", "accept", "application/json"));
        assertThat(api.status()).isEqualTo(401);
        assertThat(api.body()).isEqualTo("Client authentication failed.\n");

        // a Bearer skips the login (passThroughAuthHeader) and is the jwt method's to verify
        SignedJWT good = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("api-1").build(),
                new JWTClaimsSet.Builder().issuer("https://api.test").audience("api").subject("svc")
                        .expirationTime(new Date(System.currentTimeMillis() + 600_000)).build());
        good.sign(new RSASSASigner(key));
        assertThat(run(policy, exchange("/private", "authorization", "Bearer " + good.serialize()))).isNull();
        SignedJWT forged = new SignedJWT(good.getHeader(), good.getJWTClaimsSet());
        forged.sign(new RSASSASigner(new RSAKeyGenerator(2048).keyID("api-1").generate()));
        Answer refused = run(policy, exchange("/private", "authorization", "Bearer " + forged.serialize()));
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.challenge()).contains("error=\"invalid_token\"");
        assertThat(run(policy, exchange("/private", "accept", HTML, "cookie", session,
                "authorization", "Bearer " + forged.serialize())).status())
                .as("a session does not excuse a bad token that is there").isEqualTo(401);
    }

    @Test
    void anExpiredAccessTokenIsRefreshedAndLogoutEndsTheSession() throws Exception {
        OidcSpec spec = spec(false, List.of(), "Lax");
        OidcFilter filter = new OidcFilter("default/web", spec, Map.of());
        String session = login(filter);
        CookieCipher cipher = new CookieCipher(KEY);
        String value = session.substring("AccessToken-test=".length(), session.indexOf(';'));
        JWTClaimsSet claims = cipher.open(value, SessionCookies.SESSION, new Date());
        assertThat(claims.getClaim("rt")).isNotNull();
        String expired = cipher.seal(new JWTClaimsSet.Builder(claims)
                .claim("ate", System.currentTimeMillis() / 1000 - 5).build());

        Answer refreshed = run(filter, exchange("/private?y=2", "accept", "application/json",
                "cookie", "AccessToken-test=" + expired));
        assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(307);
        assertThat(refreshed.location()).isEqualTo("/private?y=2");
        assertThat(run(filter, exchange("/private", "accept", "application/json",
                "cookie", refreshed.cookie("AccessToken-test=")))).isNull();

        Answer out = run(filter, exchange("/logout", "accept", HTML, "cookie", session));
        assertThat(out.status()).isEqualTo(302);
        assertThat(out.location()).startsWith(idp.endSessionEndpointUrl("default").toString())
                .contains("id_token_hint=ey");
        assertThat(out.cookies()).allSatisfy(c -> assertThat(c).contains("Max-Age=0"));
    }

    @Test
    void neverLandsOffSiteAndStrictCookiesLandByAPageOfOurs() throws Exception {
        Answer offSite = login(new OidcFilter("default/web", spec(false, List.of(), "Lax"), Map.of()),
                "//evil.example/steal");
        assertThat(offSite.location()).isEqualTo("/");

        Answer strict = login(new OidcFilter("default/web", spec(false, List.of(), "Strict"), Map.of()),
                "/a?b=1&c=2");
        assertThat(strict.status()).isEqualTo(200);
        assertThat(strict.body()).contains("<meta http-equiv=\"refresh\" content=\"0;url=/a?b=1&amp;c=2\">");
        assertThat(strict.cookie("AccessToken-test=")).isNotEmpty();
        assertThat(strict.cookies()).anySatisfy(c -> assertThat(c).startsWith("AccessToken-test=")
                .contains("SameSite=Strict"));
    }

    @Test
    void cookiesAreSecureOnHttps() throws Exception {
        OidcFilter filter = new OidcFilter("default/web", spec(false, List.of(), "Lax"), Map.of());
        Answer redirect = run(filter, https("/private", "accept", HTML));
        assertThat(redirect.location()).contains("redirect_uri=https%3A%2F%2Fapp.test%3A8080%2Foauth2%2Fcallback");
        assertThat(redirect.cookies()).singleElement().satisfies(c -> assertThat(c).endsWith("; Secure"));
        Answer out = run(filter, https("/logout", "accept", HTML));
        assertThat(out.cookies()).allSatisfy(c -> assertThat(c).contains("HttpOnly").endsWith("; Secure"));
    }

    @Test
    void anUnreachableProviderIs503() throws Exception {
        OidcFilter filter = new OidcFilter("default/web", new OidcSpec(new OidcSpec.Provider(
                "http://127.0.0.1:1/none", null, null, null), "web-app", new OidcSpec.Credentials("secret", KEY, "x"),
                List.of("openid"), List.of(), null, "/oauth2/callback", "/logout", false, null, true, null,
                Duration.ofDays(7), Duration.ofMinutes(10), "A", "I", null, "Lax", List.of(), false), Map.of());
        assertThat(run(filter, exchange("/", "accept", HTML)).status()).isEqualTo(503);
    }

    @Test
    void cookiesAreSealedForOneUse() {
        CookieCipher cipher = new CookieCipher(KEY);
        Date later = new Date(System.currentTimeMillis() + 60_000);
        String state = cipher.seal(new JWTClaimsSet.Builder().claim(CookieCipher.USE, "state").expirationTime(later)
                .build());
        assertThat(cipher.open(state, "state", new Date())).isNotNull();
        assertThat(cipher.open(state, "session", new Date())).isNull();
        assertThat(cipher.open(state, "state", new Date(later.getTime() + 1000))).isNull();
        assertThat(new CookieCipher(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}).open(state, "state", new Date())).isNull();
        assertThat(cipher.open("not.a.jwe", "state", new Date())).isNull();
    }
}
