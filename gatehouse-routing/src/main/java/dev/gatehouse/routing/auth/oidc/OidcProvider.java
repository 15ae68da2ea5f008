package dev.gatehouse.routing.auth.oidc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.gatehouse.ir.OidcSpec;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One OpenID provider, shared by every snapshot that names its issuer: its discovery document
 * ({@code /.well-known/openid-configuration}) and JWKS, fetched with the JDK's asynchronous HttpClient on threads of
 * its own (never an event loop) and kept (the metadata for an hour); and its token endpoint. A failed fetch is not
 * kept: the next login tries again. An ID token signed with a key we do not know refetches the JWKS (at most every 30 s), for key rotation.
 */
final class OidcProvider {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long JWKS_REFETCH_NANOS = Duration.ofSeconds(30).toNanos();
    private static final long METADATA_MAX_AGE_NANOS = Duration.ofHours(1).toNanos();
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** Discovery, JWKS and token calls: few and short; two daemon threads do the parsing and ID token checks. */
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            // HTTP/1.1: no h2c upgrade attempt on plain http, which some providers' proxies mishandle
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "gatehouse-oidc-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            })).build();
    private static final Cache<String, OidcProvider> BY_ISSUER = Caffeine.newBuilder().maximumSize(1_000)
            .expireAfterAccess(Duration.ofHours(1)).build();
    private static final Set<JWSAlgorithm> SIGNATURES = new HashSet<>();

    static {
        SIGNATURES.addAll(JWSAlgorithm.Family.RSA);
        SIGNATURES.addAll(JWSAlgorithm.Family.EC);
        SIGNATURES.addAll(JWSAlgorithm.Family.ED);
    }

    /** What discovery found. */
    record Metadata(String authorizationEndpoint, String tokenEndpoint, String endSessionEndpoint, URI jwksUri) { }

    /** A token endpoint's answer (RFC 6749 section 5.1). */
    record Tokens(String accessToken, String idToken, String refreshToken, Long expiresIn) { }

    private final String issuer;
    private volatile CompletableFuture<Metadata> metadata;
    private volatile long metadataFetchedAt;
    private volatile CompletableFuture<JWKSet> jwks;
    private volatile long jwksFetchedAt;

    private OidcProvider(String issuer) {
        this.issuer = issuer;
    }

    static OidcProvider of(String issuer) {
        return BY_ISSUER.get(issuer, OidcProvider::new);
    }

    /** The discovered metadata, when it is already here (no suspension needed); else {@code null}. */
    Metadata metadataNow() {
        CompletableFuture<Metadata> m = metadata;
        return m != null && m.isDone() && !m.isCompletedExceptionally() ? m.join() : null;
    }

    /**
     * The discovered metadata: a failure is forgotten so that the next call asks again; a success is asked again
     * after an hour (the old one serves until the new one is here), so a provider's moved endpoints are followed.
     */
    CompletableFuture<Metadata> metadata() {
        CompletableFuture<Metadata> m = metadata;
        if (m == null || m.isCompletedExceptionally()) {
            synchronized (this) {
                m = metadata;
                if (m == null || m.isCompletedExceptionally()) {
                    metadataFetchedAt = System.nanoTime();
                    metadata = m = discover();
                }
            }
        } else if (m.isDone() && System.nanoTime() - metadataFetchedAt > METADATA_MAX_AGE_NANOS) {
            synchronized (this) {
                if (metadata == m && System.nanoTime() - metadataFetchedAt > METADATA_MAX_AGE_NANOS) {
                    metadataFetchedAt = System.nanoTime();
                    CompletableFuture<Metadata> next = discover();
                    next.thenRun(() -> metadata = next);
                }
            }
        }
        return m;
    }

    private CompletableFuture<Metadata> discover() {
        URI uri = URI.create(issuer.endsWith("/") ? issuer + ".well-known/openid-configuration"
                : issuer + "/.well-known/openid-configuration");
        return getJson(uri).thenApply(doc -> {
            if (!issuer.equals(doc.get("issuer"))) {
                throw new IllegalStateException("the discovery document of " + issuer + " names issuer "
                        + doc.get("issuer"));
            }
            Object jwksUri = doc.get("jwks_uri");
            if (!(jwksUri instanceof String j)) {
                throw new IllegalStateException("the discovery document of " + issuer + " has no jwks_uri");
            }
            return new Metadata(text(doc, "authorization_endpoint"), text(doc, "token_endpoint"),
                    text(doc, "end_session_endpoint"), URI.create(j));
        });
    }

    private CompletableFuture<JWKSet> jwks(boolean refresh) {
        CompletableFuture<JWKSet> k = jwks;
        if (k == null || k.isCompletedExceptionally()
                || refresh && System.nanoTime() - jwksFetchedAt > JWKS_REFETCH_NANOS) {
            synchronized (this) {
                if (jwks == k) {
                    jwksFetchedAt = System.nanoTime();
                    jwks = k = metadata().thenCompose(m -> get(m.jwksUri())).thenApply(body -> {
                        try {
                            return JWKSet.parse(body);
                        } catch (ParseException e) {
                            throw new IllegalStateException("the JWKS of " + issuer + " does not parse", e);
                        }
                    });
                } else {
                    k = jwks;
                }
            }
        }
        return k;
    }

    /**
     * Checks an ID token: signature (the provider's JWKS), {@code iss}, {@code aud} (the client), {@code exp} and,
     * at login, {@code nonce}.
     *
     * @param nonce the nonce the login sent, or {@code null} (a refresh: none to check)
     */
    CompletableFuture<JWTClaimsSet> verifyIdToken(String idToken, String clientId, String nonce) {
        return jwks(false).thenCompose(keys -> {
            try {
                return CompletableFuture.completedFuture(verify(keys, idToken, clientId, nonce));
            } catch (BadJOSEException unknownKey) {
                // perhaps rotated: fetch the JWKS again (rate limited) and try once more
                return jwks(true).thenApply(fresh -> {
                    try {
                        return verify(fresh, idToken, clientId, nonce);
                    } catch (BadJOSEException | JOSEException | ParseException e) {
                        throw new IllegalArgumentException("invalid ID token: " + e.getMessage(), e);
                    }
                });
            } catch (JOSEException | ParseException e) {
                throw new IllegalArgumentException("invalid ID token: " + e.getMessage(), e);
            }
        });
    }

    private JWTClaimsSet verify(JWKSet keys, String idToken, String clientId, String nonce)
            throws BadJOSEException, JOSEException, ParseException {
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(SIGNATURES, new ImmutableJWKSet<>(keys)));
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder().issuer(issuer);
        if (nonce != null) {
            exact.claim("nonce", nonce);
        }
        p.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(clientId, exact.build(), Set.of("sub", "exp", "iat")));
        return p.process(idToken, null);
    }

    /** POSTs a grant to the token endpoint (client_secret_post, as Envoy's default) and reads the tokens. */
    CompletableFuture<Tokens> token(String tokenEndpoint, OidcSpec spec, Map<String, String> grant) {
        StringJoiner form = new StringJoiner("&");
        grant.forEach((k, v) -> form.add(form(k) + "=" + form(v)));
        form.add("client_id=" + form(spec.clientId()));
        form.add("client_secret=" + form(spec.credentials().clientSecret()));
        for (String resource : spec.resources()) {
            form.add("resource=" + form(resource));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(tokenEndpoint)).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            Map<String, Object> doc = parse(r.body(), tokenEndpoint);
            if (r.statusCode() != 200 || !(doc.get("access_token") instanceof String at)) {
                throw new IllegalArgumentException("the token endpoint answered " + r.statusCode()
                        + (doc.get("error") instanceof String e ? " " + e : ""));
            }
            return new Tokens(at, text(doc, "id_token"), text(doc, "refresh_token"),
                    doc.get("expires_in") instanceof Number n ? n.longValue() : null);
        });
    }

    private CompletableFuture<Map<String, Object>> getJson(URI uri) {
        return get(uri).thenApply(body -> parse(body, uri.toString()));
    }

    private static CompletableFuture<String> get(URI uri) {
        return HTTP.sendAsync(HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(uri + " answered " + r.statusCode());
                    }
                    return r.body();
                });
    }

    private static Map<String, Object> parse(String body, String from) {
        try {
            return JSONObjectUtils.parse(body);
        } catch (ParseException e) {
            throw new IllegalStateException(from + " did not answer a JSON object", e);
        }
    }

    private static String text(Map<String, Object> doc, String key) {
        return doc.get(key) instanceof String s && !s.isEmpty() ? s : null;
    }

    static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** For tests: forget every provider (a test's provider lives on a port another test reuses). */
    static void forgetAll() {
        BY_ISSUER.invalidateAll();
    }
}
