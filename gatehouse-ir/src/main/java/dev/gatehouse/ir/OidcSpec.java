package dev.gatehouse.ir;

import java.time.Duration;
import java.util.List;

/**
 * The SecurityPolicy {@code oidc} field as the data plane enforces it (EG v1.9's shape): the authorization-code
 * login (PKCE, state, nonce) of browser routes, with the session kept in encrypted cookies.
 *
 * @param provider the provider's endpoints (those not given are discovered from the issuer)
 * @param clientId the client id (from {@code clientID} or the {@code client-id} key of {@code clientIDRef})
 * @param credentials the client secret and the cookie key, printed as the Secrets they came from
 * @param scopes the scopes asked for, {@code openid} first
 * @param resources RFC 8707 resource indicators sent with the authorization and token requests
 * @param redirectUrl the absolute callback URL, or {@code null}: scheme and Host of the request with
 *                    {@link #redirectPath}
 * @param redirectPath the callback's path (that of {@code redirectURL}; default {@code /oauth2/callback})
 * @param logoutPath the path that ends the session (default {@code /logout})
 * @param forwardAccessToken send the access token upstream as {@code Authorization: Bearer}
 * @param forwardIdTokenHeader header the ID token is sent upstream in, or {@code null}
 * @param refreshToken use the refresh token when the access token expired
 * @param defaultTokenTtl the access token's lifetime when the provider does not say ({@code expires_in}), or
 *                        {@code null}: the ID token's expiry then
 * @param defaultRefreshTokenTtl how long the session cookie outlives the access token when there is a refresh token
 * @param csrfTokenTtl how long a login may take (the state cookie's lifetime)
 * @param accessTokenCookie the session cookie's name (EG's {@code cookieNames.accessToken})
 * @param idTokenCookie the ID token cookie's name (EG's {@code cookieNames.idToken})
 * @param cookieDomain the cookies' Domain attribute, or {@code null} (host only)
 * @param sameSite the session cookies' SameSite attribute: Lax, Strict or None
 * @param denyRedirect requests matching any of these get 401 instead of the redirect
 * @param passThroughAuthHeader a request with {@code Authorization: Bearer} skips the login (the jwt method checks it)
 */
public record OidcSpec(Provider provider, String clientId, Credentials credentials, List<String> scopes,
                       List<String> resources, String redirectUrl, String redirectPath, String logoutPath,
                       boolean forwardAccessToken, String forwardIdTokenHeader, boolean refreshToken,
                       Duration defaultTokenTtl, Duration defaultRefreshTokenTtl, Duration csrfTokenTtl,
                       String accessTokenCookie, String idTokenCookie, String cookieDomain, String sameSite,
                       List<HeaderMatch> denyRedirect, boolean passThroughAuthHeader) {
    public OidcSpec {
        scopes = List.copyOf(scopes);
        resources = List.copyOf(resources);
        denyRedirect = List.copyOf(denyRedirect);
    }

    /**
     * @param issuer the issuer URL: the ID token's {@code iss}, and where discovery reads
     *               {@code /.well-known/openid-configuration}
     * @param authorizationEndpoint given, or {@code null} (discovered)
     * @param tokenEndpoint given, or {@code null} (discovered)
     * @param endSessionEndpoint given, or {@code null} (discovered when the provider has one)
     */
    public record Provider(String issuer, String authorizationEndpoint, String tokenEndpoint,
                           String endSessionEndpoint) { }

    /**
     * @param clientSecret the {@code client-secret} key of {@code clientSecret}'s Secret
     * @param cookieKey the 32-byte AES-256-GCM key of the cookies, derived from gatehouse.dev's
     *                  {@code cookieSecret} Secret (or from the client secret when there is none), so that every
     *                  replica reads every replica's cookies
     * @param source the Secrets they came from ("ns/name" each), the only part logs and /config show
     */
    public record Credentials(String clientSecret, byte[] cookieKey, String source) {
        @Override
        public String toString() {
            return "Credentials[" + source + "]";
        }
    }

    public enum MatchType { EXACT, PREFIX, SUFFIX, REGULAR_EXPRESSION }

    /** One {@code denyRedirect.headers} item; the name lower case (pseudo-headers such as {@code :path} allowed). */
    public record HeaderMatch(String name, MatchType type, String value) { }
}
