package dev.gatehouse.routing.auth.oidc;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.ir.OidcSpec;
import dev.gatehouse.routing.filter.AuthOutcome;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
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
    private static final String SESSION = "session";
    private static final String ID = "id";
    private static final String STATE = "state";
    /** Enough of the state to tell concurrent logins (several tabs) apart in their state cookies' names. */
    private static final int STATE_NAME_CHARS = 12;

    private final String policy;
    private final OidcSpec spec;
    private final Map<String, List<String>> groups;
    private final OidcProvider provider;
    private final CookieCipher cipher;
    private final DenyRedirect deny;
    private final String statePrefix;
    private final String scope;

    /**
     * @param policy "ns/name" of the SecurityPolicy
     * @param groups the policy's consumer groups, by consumer id (here an ID token's {@code sub})
     */
    public OidcFilter(String policy, OidcSpec spec, Map<String, List<String>> groups) {
        this.policy = policy;
        this.spec = spec;
        this.groups = groups;
        this.provider = OidcProvider.of(spec.provider().issuer());
        this.cipher = new CookieCipher(spec.credentials().cookieKey());
        this.deny = new DenyRedirect(spec.denyRedirect());
        this.statePrefix = spec.accessTokenCookie() + "-state-";
        // Discovery waits for the first login: compiling a snapshot (validate, explain, tests) makes no call.
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
        JWTClaimsSet session = cipher.open(Cookies.value(h, spec.accessTokenCookie()), SESSION, now);
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
            JWTClaimsSet id = cipher.open(Cookies.value(h, spec.idTokenCookie()), ID, now);
            if (id != null && id.getClaim("idt") instanceof String idToken) {
                h.set(spec.forwardIdTokenHeader(), "authorization".equals(spec.forwardIdTokenHeader())
                        ? "Bearer " + idToken : idToken);
            } else {
                h.remove(spec.forwardIdTokenHeader());
            }
        }
        Cookies.remove(h, name -> name.equals(spec.accessTokenCookie()) || name.equals(spec.idTokenCookie())
                || name.startsWith(statePrefix));
    }

    /** Not logged in: to the provider (302) or, for API clients and {@code denyRedirect}, 401. */
    private FilterResult login(HttpExchange ex, Login login) {
        ex.recordAuth(AuthOutcome.UNAUTHENTICATED);
        if (!login.redirect()) {
            FullHttpResponse r = answer(HttpResponseStatus.UNAUTHORIZED, "Client authentication failed.\n");
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
            return new FilterResult.Respond(answer(HttpResponseStatus.SERVICE_UNAVAILABLE,
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
        long ttl = spec.csrfTokenTtl().toSeconds();
        String sealed = cipher.seal(new JWTClaimsSet.Builder().claim(CookieCipher.USE, STATE).claim("st", state)
                .claim("n", nonce).claim("v", verifier).claim("u", login.original()).claim("ru", login.redirectUri())
                .expirationTime(new Date(System.currentTimeMillis() + ttl * 1000)).build());
        // Lax (or None): the provider sends the browser back with a cross-site top-level GET, which Strict drops
        String sameSite = "None".equals(spec.sameSite()) ? "None" : "Lax";
        FullHttpResponse r = redirect(HttpResponseStatus.FOUND, location.toString());
        r.headers().add(HttpHeaderNames.SET_COOKIE, cookie(statePrefix + state.substring(0, STATE_NAME_CHARS), sealed,
                ttl, sameSite, login.secure()));
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
        if (state == null || code == null || state.length() < STATE_NAME_CHARS) {
            return failed(ex, "the callback lacks its code or state");
        }
        JWTClaimsSet login = cipher.open(Cookies.value(ex.request().headers(),
                statePrefix + state.substring(0, STATE_NAME_CHARS)), STATE, new Date());
        if (login == null || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8),
                String.valueOf(login.getClaim("st")).getBytes(StandardCharsets.UTF_8))) {
            return failed(ex, "unknown or expired login (state mismatch)");
        }
        boolean secure = "https".equals(ex.scheme());
        String stateCookie = statePrefix + state.substring(0, STATE_NAME_CHARS);
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
                                FullHttpResponse r = landing(String.valueOf(login.getClaim("u")));
                                r.headers().add(HttpHeaderNames.SET_COOKIE, cookie(stateCookie, "", 0, "Lax", secure));
                                sessionCookies(r, tokens, id.getSubject(), id.getExpirationTime(), secure);
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
                            FullHttpResponse r = redirect(HttpResponseStatus.TEMPORARY_REDIRECT, login.original());
                            sessionCookies(r, kept, id != null ? id.getSubject() : sub,
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
        JWTClaimsSet id = cipher.openAnyTime(Cookies.value(ex.request().headers(), spec.idTokenCookie()), ID);
        String idToken = id != null && id.getClaim("idt") instanceof String t ? t : null;
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
        FullHttpResponse r = redirect(HttpResponseStatus.FOUND, location);
        r.headers().add(HttpHeaderNames.SET_COOKIE, cookie(spec.accessTokenCookie(), "", 0, spec.sameSite(), secure));
        r.headers().add(HttpHeaderNames.SET_COOKIE, cookie(spec.idTokenCookie(), "", 0, spec.sameSite(), secure));
        return new FilterResult.Respond(r);
    }

    private void sessionCookies(FullHttpResponse r, OidcProvider.Tokens tokens, String sub, Date idExpiry,
                                boolean secure) {
        long now = System.currentTimeMillis() / 1000;
        long accessExpiry = tokens.expiresIn() != null ? now + tokens.expiresIn()
                : spec.defaultTokenTtl() != null ? now + spec.defaultTokenTtl().toSeconds()
                : idExpiry != null ? idExpiry.getTime() / 1000 : now;
        boolean refreshes = spec.refreshToken() && tokens.refreshToken() != null;
        long cookieExpiry = refreshes ? accessExpiry + spec.defaultRefreshTokenTtl().toSeconds() : accessExpiry;
        Date expires = new Date(cookieExpiry * 1000);
        JWTClaimsSet.Builder session = new JWTClaimsSet.Builder().claim(CookieCipher.USE, SESSION).subject(sub)
                .claim("at", tokens.accessToken()).claim("ate", accessExpiry).expirationTime(expires);
        if (refreshes) {
            session.claim("rt", tokens.refreshToken());
        }
        long maxAge = Math.max(0, cookieExpiry - now);
        r.headers().add(HttpHeaderNames.SET_COOKIE, cookie(spec.accessTokenCookie(), cipher.seal(session.build()),
                maxAge, spec.sameSite(), secure));
        if (tokens.idToken() != null) {
            r.headers().add(HttpHeaderNames.SET_COOKIE, cookie(spec.idTokenCookie(), cipher.seal(
                    new JWTClaimsSet.Builder().claim(CookieCipher.USE, ID).claim("idt", tokens.idToken())
                            .expirationTime(expires).build()), maxAge, spec.sameSite(), secure));
        }
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

    private String cookie(String name, String value, long maxAge, String sameSite, boolean secure) {
        StringBuilder c = new StringBuilder(name).append('=').append(value).append("; Path=/; Max-Age=").append(maxAge);
        if (spec.cookieDomain() != null) {
            c.append("; Domain=").append(spec.cookieDomain());
        }
        c.append("; HttpOnly; SameSite=").append(sameSite);
        if (secure) {
            c.append("; Secure");
        }
        return c.toString();
    }

    private FilterResult failed(HttpExchange ex, String why) {
        ex.recordAuth(AuthOutcome.UNAUTHENTICATED);
        return new FilterResult.Respond(answer(HttpResponseStatus.UNAUTHORIZED, "OIDC login failed: " + why + "\n"));
    }

    /** A login whose token exchange or ID token failed: 401 for a refused one, 503 for an unreachable provider. */
    private FilterResult loginError(HttpExchange ex, Throwable e) {
        Throwable cause = cause(e);
        return cause instanceof IllegalArgumentException ? failed(ex, cause.getMessage()) : unavailable(ex, cause);
    }

    private FilterResult unavailable(HttpExchange ex, Throwable e) {
        ex.recordAuth(AuthOutcome.ERROR);
        Throwable cause = cause(e);
        return new FilterResult.Respond(answer(HttpResponseStatus.SERVICE_UNAVAILABLE,
                "the identity provider is unavailable: " + cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + "\n"));
    }

    private static Throwable cause(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /**
     * Back to the URL first asked for. A 302 does, except with SameSite=Strict: the browser arrives from the
     * provider, and a redirect continuing that cross-site navigation would not carry the new Strict cookies (a
     * login loop), so a page of ours sends it on instead, a same-site navigation that carries them.
     */
    private FullHttpResponse landing(String original) {
        if (!"Strict".equals(spec.sameSite())) {
            return redirect(HttpResponseStatus.FOUND, original);
        }
        String url = original.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
        FullHttpResponse r = answer(HttpResponseStatus.OK, "<!doctype html><meta http-equiv=\"refresh\" content=\"0;url="
                + url + "\"><a href=\"" + url + "\">Continue</a>\n");
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        return r;
    }

    private static FullHttpResponse redirect(HttpResponseStatus status, String location) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
        r.headers().set(HttpHeaderNames.LOCATION, location).set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return r;
    }

    private static FullHttpResponse answer(HttpResponseStatus status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store").setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return r;
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
