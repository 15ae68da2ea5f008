package dev.gatehouse.routing.auth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.ir.JwtSpec;
import dev.gatehouse.ir.SecurityPolicySpec;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import dev.gatehouse.testing.JwksServer;
import io.netty.handler.codec.http.FullHttpResponse;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.gatehouse.routing.auth.Exchanges.exchange;
import static org.assertj.core.api.Assertions.assertThat;

/** The jwt filters on exchanges, as the proxy runs them (a suspension is waited for, as the proxy would). */
class JwtFiltersTest {
    private static final String ISSUER = "https://idp.test";

    private record Answer(int status, String body, List<String> challenges) { }

    private static Answer run(List<HttpFilter> filters, HttpExchange ex) throws Exception {
        for (HttpFilter f : filters) {
            FilterResult r = f.onRequest(ex);
            if (r instanceof FilterResult.Suspend s) {
                r = s.resume().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            if (r instanceof FilterResult.Respond respond) {
                FullHttpResponse response = respond.response();
                Answer a = new Answer(response.status().code(), response.content().toString(StandardCharsets.UTF_8),
                        response.headers().getAll("www-authenticate"));
                response.release();
                return a;
            }
        }
        return new Answer(0, "", List.of());
    }

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience("api").subject("alice")
                .expirationTime(new Date(System.currentTimeMillis() + 600_000));
    }

    private static String rs256(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static JwtSpec.Provider provider(String name, String jwks, JwtSpec.RemoteJwks remote,
                                             List<JwtSpec.ClaimToHeader> claimToHeaders) {
        return new JwtSpec.Provider(name, ISSUER, List.of("api"),
                jwks == null ? null : new JwtSpec.LocalJwks("inline", jwks), remote, claimToHeaders,
                List.of(new JwtSpec.Location(SecurityPolicySpec.Source.HEADER, "authorization", "Bearer "),
                        new JwtSpec.Location(SecurityPolicySpec.Source.COOKIE, "session", "")));
    }

    private static List<HttpFilter> policy(JwtSpec jwt, SecurityPolicySpec.AuthorizationSpec authorization) {
        return SecurityFilters.compile(new SecurityPolicySpec("ns/p", null, null, null, authorization, null, Map.of(),
                null, jwt, null, null));
    }

    @Test
    void rsEsHsAndEdDsaTokensAreVerifiedAndBadOnesRefusedByName() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        RSAKey forger = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        OctetSequenceKey hmac = new OctetSequenceKeyGenerator(256).keyID("hs-1").generate();
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] spki = ed.getPublic().getEncoded();
        OctetKeyPair edJwk = new OctetKeyPair.Builder(Curve.Ed25519,
                Base64URL.encode(Arrays.copyOfRange(spki, spki.length - 32, spki.length))).keyID("ed-1").build();
        String jwks = new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK(), hmac, edJwk)).toString(false);
        List<HttpFilter> f = policy(new JwtSpec(false, false, null, List.of(provider("idp", jwks, null, List.of()))),
                null);

        assertThat(run(f, exchange("/", "authorization", "Bearer " + rs256(rsa, claims().build()))).status()).isZero();
        SignedJWT es = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(), claims().build());
        es.sign(new ECDSASigner(ec));
        assertThat(run(f, exchange("/", "authorization", "bearer " + es.serialize())).status()).isZero();
        SignedJWT hs = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("hs-1").build(), claims().build());
        hs.sign(new MACSigner(hmac));
        assertThat(run(f, exchange("/", "cookie", "a=b; session=" + hs.serialize())).status()).isZero();
        assertThat(run(f, exchange("/", "authorization", "Bearer " + edDsa(ed, "ed-1", claims().build()))).status())
                .isZero();
        SignedJWT noKid = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims().build());
        noKid.sign(new RSASSASigner(rsa));
        assertThat(run(f, bearer(noKid.serialize())).status()).as("no kid: any key of the type may verify").isZero();

        assertThat(run(f, exchange("/"))).isEqualTo(new Answer(401, "Jwt is missing\n",
                List.of("Bearer realm=\"gatehouse\"")));
        Answer forged = run(f, exchange("/", "authorization", "Bearer " + rs256(forger, claims().build())));
        assertThat(forged).isEqualTo(new Answer(401, "Jwt verification fails\n",
                List.of("Bearer realm=\"gatehouse\", error=\"invalid_token\"")));
        long now = System.currentTimeMillis();
        assertThat(run(f, bearer(rs256(rsa, claims().expirationTime(new Date(now - 120_000)).build()))).body())
                .isEqualTo("Jwt is expired\n");
        assertThat(run(f, bearer(rs256(rsa, claims().expirationTime(new Date(now - 10_000)).build()))).status())
                .as("within the 30 s skew").isZero();
        assertThat(run(f, bearer(rs256(rsa, claims().notBeforeTime(new Date(now + 120_000)).build()))).body())
                .isEqualTo("Jwt not yet valid\n");
        assertThat(run(f, bearer(rs256(rsa, claims().audience("other").build()))).body())
                .isEqualTo("Audiences in Jwt are not allowed\n");
        assertThat(run(f, bearer(rs256(rsa, claims().issuer("https://evil.test").build()))).body())
                .isEqualTo("Jwt issuer is not configured\n");
        assertThat(run(f, exchange("/", "x-token", rs256(rsa, claims().build()))).status())
                .as("a token in a place the provider does not read is missing").isEqualTo(401);
        String unsigned = Base64URL.encode("{\"alg\":\"none\"}") + "." + Base64URL.encode(claims().build().toString()) + ".";
        assertThat(run(f, bearer(unsigned)).body()).startsWith("Jwt is not in the form");
        SignedJWT hsWithRsaKid = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
                claims().build());
        hsWithRsaKid.sign(new MACSigner(rsa.toPublicJWK().toRSAPublicKey().getEncoded()));
        assertThat(run(f, bearer(hsWithRsaKid.serialize())).body()).as("no HS/RS algorithm confusion")
                .isEqualTo("Jwt verification fails\n");
    }

    @Test
    void claimsReachHeadersTheConsumerAndAuthorization() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("k").generate();
        String jwks = new JWKSet(rsa.toPublicJWK()).toString();
        JwtSpec jwt = new JwtSpec(false, false, "org.member", List.of(provider("idp", jwks, null,
                List.of(new JwtSpec.ClaimToHeader("x-user", "sub"), new JwtSpec.ClaimToHeader("x-tenant", "org.tenant"),
                        new JwtSpec.ClaimToHeader("x-roles", "roles")))));
        SecurityPolicySpec.AuthorizationSpec authz = new SecurityPolicySpec.AuthorizationSpec(
                SecurityPolicySpec.Action.DENY, List.of(
                new SecurityPolicySpec.AuthorizationRule("admins", SecurityPolicySpec.Action.ALLOW, List.of(), Map.of(),
                        List.of(), List.of(), List.of(), null, new JwtSpec.Principal("idp",
                        List.of(new JwtSpec.ClaimMatch("roles", true, List.of("admin"))), List.of())),
                new SecurityPolicySpec.AuthorizationRule("readers", SecurityPolicySpec.Action.ALLOW, List.of(), Map.of(),
                        List.of(), List.of(), List.of("GET"), null, new JwtSpec.Principal("idp",
                        List.of(new JwtSpec.ClaimMatch("org.tenant", false, List.of("acme"))), List.of("read")))));
        List<HttpFilter> f = policy(jwt, authz);

        HttpExchange admin = exchange("/", "authorization", "Bearer " + rs256(rsa, claims()
                .claim("roles", List.of("dev", "admin")).claim("org", Map.of("tenant", "acme", "member", "m-7")).build()),
                "x-user", "spoofed", "x-roles", "spoofed");
        assertThat(run(f, admin).status()).isZero();
        assertThat(admin.request().headers().get("x-user")).isEqualTo("alice");
        assertThat(admin.request().headers().get("x-tenant")).isEqualTo("acme");
        assertThat(admin.request().headers().contains("x-roles")).as("a list claim is not a header; the client's"
                + " copy is gone").isFalse();
        assertThat(admin.consumer()).isEqualTo("m-7");

        String reader = rs256(rsa, claims().claim("scope", "write read").claim("org", Map.of("tenant", "acme")).build());
        assertThat(run(f, exchange("/", "authorization", "Bearer " + reader)).status()).isZero();
        String noScope = rs256(rsa, claims().claim("scope", "write").claim("org", Map.of("tenant", "acme")).build());
        assertThat(run(f, exchange("/", "authorization", "Bearer " + noScope)).status()).isEqualTo(403);
        String otherTenant = rs256(rsa, claims().claim("scp", List.of("read")).claim("org", Map.of("tenant", "x")).build());
        assertThat(run(f, exchange("/", "authorization", "Bearer " + otherTenant)).status()).isEqualTo(403);
    }

    @Test
    void optionalLetsAMissingTokenThroughAndFailOpenABadOne() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("k").generate();
        RSAKey forger = new RSAKeyGenerator(2048).keyID("k").generate();
        String jwks = new JWKSet(rsa.toPublicJWK()).toString();
        List<HttpFilter> optional = policy(new JwtSpec(true, false, "sub", List.of(provider("idp", jwks, null,
                List.of(new JwtSpec.ClaimToHeader("x-user", "sub"))))), null);
        HttpExchange anonymous = exchange("/", "x-user", "spoofed");
        assertThat(run(optional, anonymous).status()).isZero();
        assertThat(anonymous.request().headers().contains("x-user")).isFalse();
        assertThat(anonymous.consumer()).isNull();
        assertThat(run(optional, bearer(rs256(forger, claims().build()))).status()).isEqualTo(401);

        List<HttpFilter> failOpen = policy(new JwtSpec(false, true, "sub", List.of(provider("idp", jwks, null,
                List.of()))), null);
        assertThat(run(failOpen, bearer(rs256(forger, claims().build()))).status()).isZero();
        HttpExchange good = bearer(rs256(rsa, claims().build()));
        assertThat(run(failOpen, good).status()).isZero();
        assertThat(good.consumer()).isEqualTo("alice");
    }

    @Test
    void aRemoteJwksIsFetchedOffTheCallerCachedAndRefetchedForANewKidAtMostOncePerPeriod() throws Exception {
        RSAKey first = new RSAKeyGenerator(2048).keyID("one").generate();
        RSAKey second = new RSAKeyGenerator(2048).keyID("two").generate();
        try (JwksServer idp = new JwksServer(new JWKSet(first.toPublicJWK()).toString())) {
            String uri = idp.uri();
            List<HttpFilter> f = policy(new JwtSpec(false, false, null, List.of(provider("idp", null,
                    new JwtSpec.RemoteJwks(uri, Duration.ofMinutes(5), Duration.ofHours(1)), List.of()))), null);

            HttpExchange firstCall = bearer(rs256(first, claims().build()));
            assertThat(f.get(0).onRequest(firstCall)).as("no keys yet: the request waits for the fetch")
                    .isInstanceOf(FilterResult.Suspend.class);
            assertThat(run(f, bearer(rs256(first, claims().build()))).status()).isZero();
            assertThat(f.get(0).onRequest(bearer(rs256(first, claims().build())))).as("cached: answered at once")
                    .isSameAs(FilterResult.CONTINUE);
            assertThat(idp.fetches()).isEqualTo(1);

            idp.serve(new JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK())).toString());
            assertThat(run(f, bearer(rs256(second, claims().build()))).status()).as("a new kid refetches").isZero();
            assertThat(idp.fetches()).isEqualTo(2);
            RSAKey unknown = new RSAKeyGenerator(2048).keyID("three").generate();
            assertThat(run(f, bearer(rs256(unknown, claims().build()))).body())
                    .isEqualTo("Jwks doesn't have key to match kid or alg from Jwt\n");
            assertThat(idp.fetches()).as("not again within failedRefetchDuration").isEqualTo(2);
            assertThat(run(f, bearer(rs256(second, claims().build()))).status()).isZero();
        }
    }

    @Test
    void anUnreachableJwksFailsClosedAndIsAskedAgainAfterFailedRefetchDuration() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("one").generate();
        String uri;
        try (JwksServer gone = new JwksServer("{}")) {
            uri = gone.uri();
        }
        List<HttpFilter> f = policy(new JwtSpec(false, false, null, List.of(provider("idp", null,
                new JwtSpec.RemoteJwks(uri, Duration.ofMinutes(5), Duration.ofSeconds(3)), List.of()))), null);
        Answer down = run(f, bearer(rs256(key, claims().build())));
        assertThat(down.status()).isEqualTo(401);
        assertThat(down.body()).isEqualTo("Jwks remote fetch is failed\n");
        assertThat(f.get(0).onRequest(bearer(rs256(key, claims().build()))))
                .as("within failedRefetchDuration of the failure: refused at once, no fetch")
                .isInstanceOf(FilterResult.Respond.class)
                .satisfies(r -> ((FilterResult.Respond) r).response().release());
        Thread.sleep(3_500);
        assertThat(f.get(0).onRequest(bearer(rs256(key, claims().build())))).as("asked again")
                .isInstanceOf(FilterResult.Suspend.class)
                .satisfies(r -> ((FilterResult.Suspend) r).resume().toCompletableFuture().get(30, TimeUnit.SECONDS));
    }

    /**
     * An API key's identity is built once per key and shared by its requests (no allocation per request); a JWT
     * verified beside the key must go to that request's own identity, or the next request with the same key and
     * no token would be authorised by the last one's claims.
     */
    @Test
    void aTokenBesideAnApiKeyIsNeverLeftOnTheKeysSharedIdentity() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("k").generate();
        JwtSpec jwt = new JwtSpec(true, false, null, List.of(provider("idp",
                new JWKSet(rsa.toPublicJWK()).toString(), null, List.of())));
        SecurityPolicySpec.AuthorizationSpec admins = new SecurityPolicySpec.AuthorizationSpec(
                SecurityPolicySpec.Action.DENY, List.of(new SecurityPolicySpec.AuthorizationRule("admins",
                SecurityPolicySpec.Action.ALLOW, List.of(), Map.of(), List.of(), List.of(), List.of(), null,
                new JwtSpec.Principal("idp", List.of(new JwtSpec.ClaimMatch("roles", true, List.of("admin"))),
                        List.of()))));
        SecurityPolicySpec.ApiKeyAuthSpec keys = new SecurityPolicySpec.ApiKeyAuthSpec(List.of(
                new SecurityPolicySpec.ApiKey("client1", java.security.MessageDigest.getInstance("SHA-256")
                        .digest("supersecret".getBytes(StandardCharsets.UTF_8)))),
                List.of(new SecurityPolicySpec.Extract(SecurityPolicySpec.Source.HEADER, List.of("x-api-key"))),
                null, false);
        List<HttpFilter> f = SecurityFilters.compile(new SecurityPolicySpec("ns/p", null, keys, null, admins, null,
                Map.of(), null, jwt, null, null));

        String admin = rs256(rsa, claims().claim("roles", List.of("admin")).build());
        assertThat(run(f, exchange("/", "x-api-key", "supersecret", "authorization", "Bearer " + admin)).status())
                .isZero();
        assertThat(run(f, exchange("/", "x-api-key", "supersecret")).status())
                .as("the same key without a token: no admin claims").isEqualTo(403);
    }

    private static HttpExchange bearer(String token) {
        return exchange("/", "authorization", "Bearer " + token);
    }

    /** EdDSA signed with the JDK: Nimbus's Ed25519 signer needs Tink. */
    private static String edDsa(KeyPair key, String kid, JWTClaimsSet claims) throws Exception {
        String input = new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID(kid).build().toBase64URL() + "."
                + Base64URL.encode(claims.toString());
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key.getPrivate());
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + Base64URL.encode(s.sign());
    }
}
