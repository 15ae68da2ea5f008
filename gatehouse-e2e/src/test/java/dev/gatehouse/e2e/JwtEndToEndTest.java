package dev.gatehouse.e2e;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.app.demo.EchoServer;
import dev.gatehouse.testing.JwksServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SecurityPolicy jwt through the real jar, with curl: a remote JWKS served by an identity provider in the test
 * (fetched off the event loop, then rotated while the gateway runs: the new kid is picked up), the failing tokens
 * (missing, forged, expired, not yet valid, wrong audience, wrong issuer, in the wrong place) answered 401 with a
 * Bearer challenge, claimToHeaders replacing a spoofed copy, authorization on the token's scopes (403), the
 * consumer from a claim in the access log, an optional jwt with a local JWKS, and a policy whose JWKS ConfigMap is
 * missing: Invalid, its route answers 500.
 */
class JwtEndToEndTest {
    private static final String ISSUER = "https://idp.test";

    @TempDir
    Path dir;

    private static String policies(String jwksUri, String localJwks) {
        StringBuilder routes = new StringBuilder();
        for (String name : List.of("api", "shop", "broken")) {
            routes.append("""
                    ---
                    apiVersion: gateway.networking.k8s.io/v1
                    kind: HTTPRoute
                    metadata: {name: %1$s, namespace: default}
                    spec:
                      parentRefs: [{name: edge}]
                      hostnames: [%1$s.test]
                      rules: [{backendRefs: [{name: echo, port: 80}]}]
                    """.formatted(name));
        }
        return routes + """
                ---
                apiVersion: gatehouse.dev/v1alpha1
                kind: SecurityPolicy
                metadata: {name: api-jwt, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: api}]
                  jwt:
                    providers:
                    - name: idp
                      issuer: %s
                      audiences: [api]
                      remoteJWKS: {uri: "%s", cacheDuration: 1h}
                      claimToHeaders: [{header: x-user, claim: sub}]
                  consumers: {jwtClaim: sub}
                  authorization:
                    defaultAction: Deny
                    rules:
                    - name: readers
                      action: Allow
                      principal: {jwt: {provider: idp, scopes: [read]}}
                ---
                apiVersion: gatehouse.dev/v1alpha1
                kind: SecurityPolicy
                metadata: {name: shop-jwt, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: shop}]
                  jwt:
                    optional: true
                    providers:
                    - name: shop
                      localJWKS: {inline: '%s'}
                      extractFrom: {cookies: [session]}
                ---
                apiVersion: gatehouse.dev/v1alpha1
                kind: SecurityPolicy
                metadata: {name: broken-jwt, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: broken}]
                  jwt:
                    providers:
                    - name: gone
                      localJWKS: {type: ValueRef, valueRef: {group: "", kind: ConfigMap, name: no-such-jwks}}
                """.formatted(ISSUER, jwksUri, localJwks);
    }

    private static JWTClaimsSet.Builder claims() {
        long now = System.currentTimeMillis();
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience("api").subject("alice").claim("scope", "read write")
                .expirationTime(new Date(now + 600_000));
    }

    private static String sign(JWK key, JWTClaimsSet claims) throws Exception {
        boolean ec = key instanceof ECKey;
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(ec ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256)
                .keyID(key.getKeyID()).build(), claims);
        jwt.sign(ec ? new ECDSASigner((ECKey) key) : new RSASSASigner((RSAKey) key));
        return jwt.serialize();
    }

    private static Curl.Result get(String url, String host, String token, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("-i", "-H", "Host: " + host));
        if (token != null) {
            args.addAll(List.of("-H", "Authorization: Bearer " + token));
        }
        args.addAll(List.of(more));
        args.add(url);
        return Curl.run(args.toArray(String[]::new));
    }

    @Test
    void remoteJwksRotationFailingTokensClaimsAuthorizationAndFailClosed() throws Exception {
        RSAKey first = new RSAKeyGenerator(2048).keyID("key-1").generate();
        RSAKey second = new RSAKeyGenerator(2048).keyID("key-2").generate();
        RSAKey forger = new RSAKeyGenerator(2048).keyID("key-1").generate();
        ECKey shopKey = new ECKeyGenerator(Curve.P_256).keyID("shop-1").generate();
        try (JwksServer idp = new JwksServer(new JWKSet(first.toPublicJWK()).toString());
             EchoServer echo = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "echo", "default")) {
            int port = GatewayProcess.freePort();
            String jwksUri = idp.uri();
            Path accessLog = dir.resolve("access.log");
            Configs.write(dir.resolve("gateway.yaml"), Configs.base(port) + Configs.service("echo",
                    echo.address().getPort()) + policies(jwksUri, new JWKSet(shopKey.toPublicJWK()).toString()));
            try (GatewayProcess gateway = GatewayProcess.start(dir, List.of("-Xmx256m"),
                    List.of("--access-log", accessLog.toString()))) {
                String url = "http://127.0.0.1:" + port;

                Curl.Result missing = get(url + "/", "api.test", null);
                assertThat(missing.stdout()).startsWith("HTTP/1.1 401")
                        .containsIgnoringCase("www-authenticate: Bearer realm=\"gatehouse\"\r\n").contains("Jwt is missing");
                // the first token waits for the JWKS fetch; the forwarded request carries our x-user, not the client's
                Curl.Result ok = get(url + "/hello", "api.test", sign(first, claims().build()), "-H", "x-user: root");
                assertThat(ok.stdout()).startsWith("HTTP/1.1 200").contains("\"x-user\":\"alice\"")
                        .doesNotContain("root");
                assertThat(AccessLogLines.await(accessLog, "\"path\":\"/hello\"")).contains("\"consumer\":\"alice\"");

                long now = System.currentTimeMillis();
                record Case(String what, String token, String body) { }
                for (Case c : List.of(
                        new Case("forged", sign(forger, claims().build()), "Jwt verification fails"),
                        new Case("expired", sign(first, claims().expirationTime(new Date(now - 120_000)).build()),
                                "Jwt is expired"),
                        new Case("not yet valid", sign(first, claims().notBeforeTime(new Date(now + 120_000)).build()),
                                "Jwt not yet valid"),
                        new Case("wrong audience", sign(first, claims().audience("other").build()),
                                "Audiences in Jwt are not allowed"),
                        new Case("wrong issuer", sign(first, claims().issuer("https://evil.test").build()),
                                "Jwt issuer is not configured"),
                        new Case("garbage", "not.a.jwt", "Jwt is not in the form"))) {
                    assertThat(get(url + "/", "api.test", c.token()).stdout()).as(c.what()).startsWith("HTTP/1.1 401")
                            .containsIgnoringCase("www-authenticate: Bearer realm=\"gatehouse\", error=\"invalid_token\"")
                            .contains(c.body());
                }
                assertThat(Curl.run("-i", "-H", "Host: api.test", "-H", "x-token: " + sign(first, claims().build()),
                        url + "/").stdout()).as("a token where the policy does not look").startsWith("HTTP/1.1 401");
                assertThat(get(url + "/", "api.test", sign(first, claims().claim("scope", "write").build())).stdout())
                        .as("verified, but without the read scope").startsWith("HTTP/1.1 403");

                // the identity provider rotates its key while we run: a token with the new kid is verified
                idp.serve(new JWKSet(second.toPublicJWK()).toString());
                int before = idp.fetches();
                assertThat(get(url + "/", "api.test", sign(second, claims().build())).stdout())
                        .startsWith("HTTP/1.1 200");
                assertThat(idp.fetches()).isEqualTo(before + 1);

                // optional, local JWKS, token in a cookie: none passes, a good one passes, a forged one does not
                assertThat(get(url + "/", "shop.test", null).stdout()).startsWith("HTTP/1.1 200");
                assertThat(get(url + "/", "shop.test", null, "--cookie", "session=" + sign(shopKey, claims().build()))
                        .stdout()).startsWith("HTTP/1.1 200");
                ECKey otherShop = new ECKeyGenerator(Curve.P_256).keyID("shop-1").generate();
                assertThat(get(url + "/", "shop.test", null, "--cookie", "session=" + sign(otherShop, claims().build()))
                        .stdout()).startsWith("HTTP/1.1 401");

                // a JWKS ConfigMap that does not exist: the policy is Invalid and its route fails closed
                assertThat(get(url + "/", "broken.test", sign(first, claims().build())).stdout())
                        .startsWith("HTTP/1.1 500");
                String status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(gateway.admin("/status")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(status).contains("ConfigMap default/no-such-jwks does not exist", "Invalid");
            }
        }
    }
}
