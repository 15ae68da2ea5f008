package dev.gatehouse.routing.auth.oidc;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.ir.OidcSpec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;

import java.util.Date;

/**
 * A policy's OIDC cookies: the session ({@code cookieNames.accessToken}: access token, refresh token, their expiry,
 * the {@code sub}), the ID token ({@code cookieNames.idToken}), and one state cookie per login in progress (named
 * after the start of its state, so that logins in several tabs do not overwrite each other). All sealed by
 * {@link CookieCipher}, {@code HttpOnly}, {@code Path=/}, {@code Secure} when the request came over HTTPS.
 */
final class SessionCookies {
    static final String SESSION = "session";
    static final String ID = "id";
    static final String STATE = "state";
    /** Enough of the state to tell concurrent logins apart in their state cookies' names. */
    static final int STATE_NAME_CHARS = 12;

    private final OidcSpec spec;
    private final CookieCipher cipher;
    private final String statePrefix;

    SessionCookies(OidcSpec spec) {
        this.spec = spec;
        this.cipher = new CookieCipher(spec.credentials().cookieKey());
        this.statePrefix = spec.accessTokenCookie() + "-state-";
    }

    /** The session, expired access token or not, if the request carries a valid one of ours; else {@code null}. */
    JWTClaimsSet session(HttpHeaders request, Date now) {
        return cipher.open(Cookies.value(request, spec.accessTokenCookie()), SESSION, now);
    }

    /** The ID token of the request's ID token cookie, or {@code null}; expired ones too when {@code now} is null. */
    String idToken(HttpHeaders request, Date now) {
        String value = Cookies.value(request, spec.idTokenCookie());
        JWTClaimsSet id = now == null ? cipher.openAnyTime(value, ID) : cipher.open(value, ID, now);
        return id != null && id.getClaim("idt") instanceof String t ? t : null;
    }

    /** The login in progress whose state is {@code state}, or {@code null} (none, expired, or another's). */
    JWTClaimsSet login(HttpHeaders request, String state) {
        return cipher.open(Cookies.value(request, stateName(state)), STATE, new Date());
    }

    /** Starts a login: its state, nonce, PKCE verifier, the URL to return to and the redirect URI, for ttl. */
    void startLogin(HttpResponse r, String state, String nonce, String verifier, String original, String redirectUri,
                    boolean secure) {
        long ttl = spec.csrfTokenTtl().toSeconds();
        String sealed = cipher.seal(new JWTClaimsSet.Builder().claim(CookieCipher.USE, STATE).claim("st", state)
                .claim("n", nonce).claim("v", verifier).claim("u", original).claim("ru", redirectUri)
                .expirationTime(new Date(System.currentTimeMillis() + ttl * 1000)).build());
        // Lax (or None): the provider sends the browser back with a cross-site top-level GET, which Strict drops
        add(r, stateName(state), sealed, ttl, "None".equals(spec.sameSite()) ? "None" : "Lax", secure);
    }

    void endLogin(HttpResponse r, String state, boolean secure) {
        add(r, stateName(state), "", 0, "Lax", secure);
    }

    /**
     * Sets the session cookies. The access token expires after {@code expires_in}, else {@code defaultTokenTTL},
     * else with the ID token; with a refresh token the cookies outlive it by {@code defaultRefreshTokenTTL}.
     */
    void startSession(HttpResponse r, OidcProvider.Tokens tokens, String sub, Date idExpiry, boolean secure) {
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
        add(r, spec.accessTokenCookie(), cipher.seal(session.build()), maxAge, spec.sameSite(), secure);
        if (tokens.idToken() != null) {
            add(r, spec.idTokenCookie(), cipher.seal(new JWTClaimsSet.Builder().claim(CookieCipher.USE, ID)
                    .claim("idt", tokens.idToken()).expirationTime(expires).build()), maxAge, spec.sameSite(), secure);
        }
    }

    void endSession(HttpResponse r, boolean secure) {
        add(r, spec.accessTokenCookie(), "", 0, spec.sameSite(), secure);
        add(r, spec.idTokenCookie(), "", 0, spec.sameSite(), secure);
    }

    /** Our cookies stay between the browser and us: removed from the request before it goes upstream. */
    void hide(HttpHeaders request) {
        Cookies.remove(request, name -> name.equals(spec.accessTokenCookie()) || name.equals(spec.idTokenCookie())
                || name.startsWith(statePrefix));
    }

    private String stateName(String state) {
        return statePrefix + state.substring(0, STATE_NAME_CHARS);
    }

    private void add(HttpResponse r, String name, String value, long maxAge, String sameSite, boolean secure) {
        StringBuilder c = new StringBuilder(name).append('=').append(value).append("; Path=/; Max-Age=").append(maxAge);
        if (spec.cookieDomain() != null) {
            c.append("; Domain=").append(spec.cookieDomain());
        }
        c.append("; HttpOnly; SameSite=").append(sameSite);
        if (secure) {
            c.append("; Secure");
        }
        r.headers().add(HttpHeaderNames.SET_COOKIE, c.toString());
    }
}
