package dev.gatehouse.ir;

import java.time.Duration;
import java.util.List;

/**
 * The SecurityPolicy {@code jwt} field as the data plane enforces it (EG v1.9's shape): the providers a token is
 * checked against; a token is good if any provider verifies it.
 *
 * @param optional a request without a token passes (an invalid token is still refused)
 * @param failOpen a missing or invalid token passes (a valid one is still verified and its claims used)
 * @param consumerClaim gatehouse.dev's {@code consumers.jwtClaim}: the claim (dotted path) whose value is the
 *                      request's consumer, or {@code null}
 * @param providers in order, names unique
 */
public record JwtSpec(boolean optional, boolean failOpen, String consumerClaim, List<Provider> providers) {
    public JwtSpec {
        providers = List.copyOf(providers);
    }

    /**
     * One {@code providers[]} item. Exactly one of {@code localJwks} and {@code remoteJwks} is set.
     *
     * @param issuer the required {@code iss}, or {@code null} (not checked)
     * @param audiences one of them must be in {@code aud}; empty: not checked
     * @param localJwks the JWKS (inline, or read from its ConfigMap by the translator)
     * @param claimToHeaders claims copied to upstream request headers (header names lower case)
     * @param extractFrom where the token is looked for, in order; never empty (the default is
     *                    {@code Authorization: Bearer <token>}, then the {@code access_token} query parameter)
     */
    public record Provider(String name, String issuer, List<String> audiences, LocalJwks localJwks,
                           RemoteJwks remoteJwks, List<ClaimToHeader> claimToHeaders, List<Location> extractFrom) {
        public Provider {
            audiences = List.copyOf(audiences);
            claimToHeaders = List.copyOf(claimToHeaders);
            extractFrom = List.copyOf(extractFrom);
        }
    }

    /**
     * A local JWKS: where it came from ("inline" or "ConfigMap ns/name", what {@link SnapshotPrinter} prints: an
     * HMAC key in it is a secret) and its JSON text.
     */
    public record LocalJwks(String source, String json) { }

    /**
     * @param cacheDuration how long a fetched JWKS is used before it is fetched again (EG's default 300 s)
     * @param failedRefetchDuration the least time between two fetches caused by an unknown {@code kid} or a
     *                              failed fetch (Envoy's default 1 s)
     */
    public record RemoteJwks(String uri, Duration cacheDuration, Duration failedRefetchDuration) { }

    /** @param claim dotted path for a nested claim */
    public record ClaimToHeader(String header, String claim) { }

    /**
     * Where a token may be: a header (with the prefix its value must start with, stripped; empty for none), a query
     * parameter or a cookie.
     */
    public record Location(SecurityPolicySpec.Source source, String name, String valuePrefix) { }

    /**
     * An authorization rule's {@code principal.jwt}: the token must have been verified by {@code provider}, every
     * claim must match, and every scope must be granted ({@code scope} or {@code scp}).
     */
    public record Principal(String provider, List<ClaimMatch> claims, List<String> scopes) {
        public Principal {
            claims = List.copyOf(claims);
            scopes = List.copyOf(scopes);
        }
    }

    /**
     * @param name dotted path for a nested claim
     * @param stringArray EG's {@code valueType: StringArray}: the claim is a list, one of its items must be one of
     *                    the values; otherwise the claim itself must be one of them
     */
    public record ClaimMatch(String name, boolean stringArray, List<String> values) {
        public ClaimMatch {
            values = List.copyOf(values);
        }
    }
}
