package dev.gatehouse.routing.auth.oidc;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.ir.OidcSpec;
import dev.gatehouse.routing.filter.AuthOutcome;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A SecurityPolicy's {@code oidc}: the OpenID Connect authorization-code login (PKCE S256, state, nonce) of a
 * browser route, in the authentication slot (after cors and ext-auth). Nothing is kept in the gateway: the login in
 * progress lives in a short-lived encrypted state cookie and the session in encrypted session cookies
 * ({@link CookieCipher}, the policy's cookie key), so any replica finishes a login another started and serves its
 * session. Every provider call (discovery, JWKS, token endpoint) is asynchronous and the request suspends meanwhile;
 * a session check on the event loop is one AES-GCM decryption.
 *
 * <ul>
 *   <li>a valid session: the request goes on, its consumer the ID token's {@code sub}; the session cookies are
 *       not forwarded (the tokens are, if {@code forwardAccessToken} / {@code forwardIDToken} say so);</li>
 *   <li>an expired access token with a refresh token ({@code refreshToken}): refreshed, then a 307 to the same URL
 *       with the new cookies (the browser repeats the request, method and body included);</li>
 *   <li>none: a browser (an {@code Accept} with {@code text/html}, not matching {@code denyRedirect}) is sent to
 *       the provider (302); anything else gets 401 with {@code WWW-Authenticate};</li>
 *   <li>{@code passThroughAuthHeader}: a request with {@code Authorization: Bearer} skips all of this (the policy's
 *       jwt checks it).</li>
 * </ul>
 */
public final class OidcFilter implements HttpFilter {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String policy;
    private final OidcSpec spec;
    private final Map<String, List<String>> groups;
    private final OidcProvider provider;
    private final SessionCookies cookies;
    private final DenyRedirect deny;
    private final String scope;

    /**
     * @param policy "ns/name" of the SecurityPolicy
     * @param groups the policy's consumer groups, by consumer id (here an ID token's {@code sub})
     */
    public OidcFilter(String policy, OidcSpec spec, Map<String, List<String>> groups) {
        this.policy = policy;
        this.spec = spec;
        this.groups = groups;
        // discovery waits for the first login: compiling a snapshot (validate, explain, tests) makes no call
        this.provider = OidcProvider.of(spec.provider().issuer());
        this.cookies = new SessionCookies(spec);
        this.deny = new DenyRedirect(spec.denyRedirect());
        this.scope = String.join(" ", spec.scopes());
    }

    /** What a login redirect needs from the request, read on its event loop before any suspension. */
    private record Login(boolean redirect, boolean secure, String original, String redirectUri) { }

    @Override
    public FilterResult onRequest(HttpExchange ex) {
        HttpHeaders h = ex.request().headers();
        if (spec.passThroughAuthHeader()) {
            String authorization = h.get(HttpHeaderNames.AUTHORIZATION);
            if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return FilterResult.CONTINUE;
            }
        }
        String path = ex.path();
        if (path.equals(spec.redirectPath())) {
            return callback(ex);
        }
        if (path.equals(spec.logoutPath())) {
            return logout(ex);
        }
        Date now = new Date();
        JWTClaimsSet session = cookies.session(h, now);
        if (session != null) {
            Object accessExpiry = session.getClaim("ate");
            if (accessExpiry instanceof Number n && n.longValue() * 1000 > now.getTime()) {
                admit(ex, session, now);
                return FilterResult.CONTINUE;
            }
            if (spec.refreshToken() && session.getClaim("rt") instanceof String refresh) {
                return refresh(ex, session, refresh);
            }
        }
        return login(ex, login(ex));
    }

    private Login login(HttpExchange ex) {
        boolean secure = "https".equals(ex.scheme());
        String original = ex.query() == null ? ex.path() : ex.path() + '?' + ex.query();
        if (!original.startsWith("/") || original.startsWith("//") || original.startsWith("/\\")) {
            // "//evil.example/x" as a Location is another site: never send a browser off-site after login
            original = "/";
        }
        String redirectUri = spec.redirectUrl();
        if (redirectUri == null) {
            String host = ex.request().headers().get(HttpHeaderNames.HOST);
            redirectUri = ex.scheme() + "://" + (host != null ? host : ex.host()) + spec.redirectPath();
        }
        return new Login(!deny.denies(ex), secure, original, redirectUri);
    }

    /** The session is good: its consumer, the tokens upstream if asked, and our cookies kept from the upstream. */
    private void admit(HttpExchange ex, JWTClaimsSet session, Date now) {
        HttpHeaders h = ex.request().headers();
        String sub = session.getSubject();
        if (sub != null) {
            ex.consumer(sub, groups.getOrDefault(sub, List.of()));
        }
        if (spec.forwardAccessToken() && session.getClaim("at") instanceof String at) {
            h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + at);
        }
        if (spec.forwardIdTokenHeader() != null) {
            String idToken = cookies.idToken(h, now);
            if (idToken != null) {
                h.set(spec.forwardIdTokenHeader(), "authorization".equals(spec.forwardIdTokenHeader())
                        ? "Bearer " + idToken : idToken);
            } else {
                h.remove(spec.forwardIdTokenHeader());
            }
        }
        cookies.hide(h);
    }

    /** Not logged in: to the provider (302) or, for API clients and {@code denyRedirect}, 401. */
    private FilterResult login(HttpExchange ex, Login login) {
        ex.recordAuth(AuthOutcome.UNAUTHENTICATED);
        if (!login.redirect()) {
            FullHttpResponse r = OidcAnswers.text(HttpResponseStatus.UNAUTHORIZED, "Client authentication failed.\n");
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"gatehouse\"");
            return new FilterResult.Respond(r);
        }
        String endpoint = spec.provider().authorizationEndpoint();
        if (endpoint == null) {
            OidcProvider.Metadata known = provider.metadataNow();
            if (known == null) {
                return new FilterResult.Suspend(provider.metadata().handle((m, e) -> e != null
                        ? unavailable(ex, e) : redirectToProvider(m.authorizationEndpoint(), login)));
            }
            endpoint = known.authorizationEndpoint();
        }
        return redirectToProvider(endpoint, login);
    }

    private FilterResult redirectToProvider(String endpoint, Login login) {
        if (endpoint == null) {
            return new FilterResult.Respond(OidcAnswers.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "the identity provider has no authorization endpoint\n"));
        }
        String state = random();
        String nonce = random();
        String verifier = random();
        StringBuilder location = new StringBuilder(endpoint).append(endpoint.indexOf('?') < 0 ? '?' : '&')
                .append("response_type=code&client_id=").append(OidcProvider.form(spec.clientId()))
                .append("&redirect_uri=").append(OidcProvider.form(login.redirectUri()))
                .append("&scope=").append(OidcProvider.form(scope))
                .append("&state=").append(state).append("&nonce=").append(nonce)
                .append("&code_challenge=").append(challenge(verifier)).append("&code_challenge_method=S256");
        for (String resource : spec.resources()) {
            location.append("&resource=").append(OidcProvider.form(resource));
        }
        FullHttpResponse r = OidcAnswers.redirect(HttpResponseStatus.FOUND, location.toString());
        cookies.startLogin(r, state, nonce, verifier, login.original(), login.redirectUri(), login.secure());
        return new FilterResult.Respond(r);
    }

    /** The provider sent the browser back: check the state, exchange the code, check the ID token, log in. */
    private FilterResult callback(HttpExchange ex) {
        QueryStringDecoder q = new QueryStringDecoder(ex.query() == null ? "" : ex.query(), false);
        String error = first(q, "error");
        String state = first(q, "state");
        String code = first(q, "code");
        if (error != null) {
            return failed(ex, "the identity provider answered "
                    + (plain(error) ? error : "an error"));
        }
        if (state == null || code == null || state.length() < SessionCookies.STATE_NAME_CHARS) {
            return failed(ex, "the callback lacks its code or state");
        }
        JWTClaimsSet login = cookies.login(ex.request().headers(), state);
        if (login == null || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8),
                String.valueOf(login.getClaim("st")).getBytes(StandardCharsets.UTF_8))) {
            return failed(ex, "unknown or expired login (state mismatch)");
        }
        boolean secure = "https".equals(ex.scheme());
        CompletableFuture<FilterResult> done = tokenEndpoint()
                .thenCompose(te -> provider.token(te, spec, Map.of("grant_type", "authorization_code", "code", code,
                        "redirect_uri", String.valueOf(login.getClaim("ru")),
                        "code_verifier", String.valueOf(login.getClaim("v")))))
                .thenCompose(tokens -> {
                    if (tokens.idToken() == null) {
                        throw new IllegalArgumentException("the token endpoint answered no id_token");
                    }
                    return provider.verifyIdToken(tokens.idToken(), spec.clientId(),
                            String.valueOf(login.getClaim("n"))).thenApply(id -> {
                                FullHttpResponse r = OidcAnswers.landing(String.valueOf(login.getClaim("u")),
                                        "Strict".equals(spec.sameSite()));
                                cookies.endLogin(r, state, secure);
                                cookies.startSession(r, tokens, id.getSubject(), id.getExpirationTime(), secure);
                                ex.recordAuth(AuthOutcome.ALLOWED); // (written before the stage completes: see resume)
                                return (FilterResult) new FilterResult.Respond(r);
                            });
                })
                .exceptionally(e -> loginError(ex, e));
        return new FilterResult.Suspend(done);
    }

    /** The access token expired: one refresh-token grant, then the same URL again with the new session. */
    private FilterResult refresh(HttpExchange ex, JWTClaimsSet session, String refreshToken) {
        Login login = login(ex);
        String sub = session.getSubject();
        CompletableFuture<FilterResult> done = tokenEndpoint()
                .thenCompose(te -> provider.token(te, spec, Map.of("grant_type", "refresh_token",
                        "refresh_token", refreshToken)))
                .thenCompose(tokens -> (tokens.idToken() == null ? CompletableFuture.completedFuture((JWTClaimsSet) null)
                        : provider.verifyIdToken(tokens.idToken(), spec.clientId(), null)).thenApply(id -> {
                            OidcProvider.Tokens kept = tokens.refreshToken() != null ? tokens
                                    : new OidcProvider.Tokens(tokens.accessToken(), tokens.idToken(), refreshToken,
                                    tokens.expiresIn());
                            FullHttpResponse r = OidcAnswers.redirect(HttpResponseStatus.TEMPORARY_REDIRECT,
                                    login.original());
                            cookies.startSession(r, kept, id != null ? id.getSubject() : sub,
                                    id != null ? id.getExpirationTime() : null, login.secure());
                            return (FilterResult) new FilterResult.Respond(r);
                        }))
                // a refused refresh (revoked, expired) is a new login; an unreachable provider is 503
                .exceptionally(e -> cause(e) instanceof IllegalArgumentException ? login(ex, login) : unavailable(ex, e));
        return new FilterResult.Suspend(done);
    }

    /** Ends the session: cookies cleared, then the provider's end_session_endpoint if it has one, else /. */
    private FilterResult logout(HttpExchange ex) {
        boolean secure = "https".equals(ex.scheme());
        String idToken = cookies.idToken(ex.request().headers(), null);
        ex.recordAuth(AuthOutcome.UNAUTHENTICATED);
        String endSession = spec.provider().endSessionEndpoint();
        if (endSession == null && (spec.provider().authorizationEndpoint() == null
                || spec.provider().tokenEndpoint() == null)) {
            OidcProvider.Metadata known = provider.metadataNow();
            if (known == null) {
                return new FilterResult.Suspend(provider.metadata().handle((m, e) ->
                        loggedOut(m == null ? null : m.endSessionEndpoint(), idToken, secure)));
            }
            endSession = known.endSessionEndpoint();
        }
        return loggedOut(endSession, idToken, secure);
    }

    private FilterResult loggedOut(String endSession, String idToken, boolean secure) {
        String location = "/";
        if (endSession != null) {
            location = endSession + (endSession.indexOf('?') < 0 ? '?' : '&') + "client_id="
                    + OidcProvider.form(spec.clientId()) + (idToken == null ? "" : "&id_token_hint=" + idToken);
        }
        FullHttpResponse r = OidcAnswers.redirect(HttpResponseStatus.FOUND, location);
        cookies.endSession(r, secure);
        return new FilterResult.Respond(r);
    }

    private CompletableFuture<String> tokenEndpoint() {
        String configured = spec.provider().tokenEndpoint();
        return configured != null ? CompletableFuture.completedFuture(configured)
                : provider.metadata().thenApply(m -> {
                    if (m.tokenEndpoint() == null) {
                        throw new IllegalStateException("the identity provider has no token endpoint");
                    }
                    return m.tokenEndpoint();
                });
    }

    private FilterResult failed(HttpExchange ex, String why) {
        ex.recordAuth(AuthOutcome.UNAUTHENTICATED);
        return new FilterResult.Respond(OidcAnswers.text(HttpResponseStatus.UNAUTHORIZED,
                "OIDC login failed: " + why + "\n"));
    }

    /** A login whose token exchange or ID token failed: 401 for a refused one, 503 for an unreachable provider. */
    private FilterResult loginError(HttpExchange ex, Throwable e) {
        Throwable cause = cause(e);
        return cause instanceof IllegalArgumentException ? failed(ex, cause.getMessage()) : unavailable(ex, cause);
    }

    private FilterResult unavailable(HttpExchange ex, Throwable e) {
        ex.recordAuth(AuthOutcome.ERROR);
        Throwable cause = cause(e);
        return new FilterResult.Respond(OidcAnswers.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                "the identity provider is unavailable: " + cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + "\n"));
    }

    private static Throwable cause(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** An OAuth error code is a short token; anything else is not echoed back. */
    private static boolean plain(String code) {
        return code.length() <= 64 && code.chars().allMatch(c -> c == '_' || c == '-' || c == '.'
                || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9');
    }

    private static String first(QueryStringDecoder q, String name) {
        List<String> values = q.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** 32 random bytes, base64url: a state, a nonce or a PKCE verifier (43 characters, RFC 7636). */
    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String challenge(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    @Override
    public String type() {
        return "OIDC";
    }

    @Override
    public String describe() {
        List<String> parts = new ArrayList<>();
        parts.add("issuer " + spec.provider().issuer());
        parts.add("client " + spec.clientId());
        parts.add("callback " + (spec.redirectUrl() != null ? spec.redirectUrl() : spec.redirectPath()));
        parts.add("logout " + spec.logoutPath());
        if (spec.passThroughAuthHeader()) {
            parts.add("Authorization: Bearer passes to jwt");
        }
        return "SecurityPolicy " + policy + " oidc (" + String.join(", ", parts) + ")";
    }
}
