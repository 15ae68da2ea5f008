package dev.gatehouse.routing.auth;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.ir.JwtSpec;
import dev.gatehouse.routing.filter.HttpExchange;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A policy's {@code jwt}: finds each provider's token where that provider looks for it and verifies it; the token is
 * good if any provider verifies it (EG). Checks, in order: the JWS parses (an unsigned {@code alg: none} token does
 * not), {@code exp} and {@code nbf} with {@link #SKEW_SECONDS} of clock skew, {@code iss}, {@code aud}, then the
 * signature against the provider's keys. A remote JWKS that is not held yet, or that lacks the token's {@code kid},
 * is fetched off the event loop ({@link RemoteJwks}) and the answer is {@link Pending}.
 */
final class JwtAuthentication {
    /** Clock skew allowed on exp and nbf (Envoy's default is 60 s; 30 s is tighter and enough for NTP'd hosts). */
    static final long SKEW_SECONDS = 30;

    /** What a request's token came to. */
    sealed interface Result permits Missing, Invalid, Verified, Pending { }

    record Missing() implements Result { }

    /** @param reason Envoy's wording, sent as the 401's body */
    record Invalid(String reason) implements Result { }

    /** @param provider the provider that verified it */
    record Verified(String provider, JWTClaimsSet claims, List<JwtSpec.ClaimToHeader> claimToHeaders)
            implements Result { }

    /** A JWKS fetch is needed first; completes (off the event loop) with one of the other results. */
    record Pending(CompletionStage<Result> result) implements Result { }

    static final Missing MISSING = new Missing();

    final JwtSpec spec;
    private final List<Provider> providers = new ArrayList<>();

    JwtAuthentication(JwtSpec spec) {
        this.spec = spec;
        for (JwtSpec.Provider p : spec.providers()) {
            providers.add(new Provider(p));
        }
    }

    /** The headers claimToHeaders sets: a client's own copies are removed. */
    List<String> claimHeaders() {
        return spec.providers().stream().flatMap(p -> p.claimToHeaders().stream()).map(JwtSpec.ClaimToHeader::header)
                .distinct().toList();
    }

    String describe() {
        return "jwt (" + String.join(", ", providers.stream().map(Provider::describe).toList())
                + (spec.optional() ? "; optional" : "") + (spec.failOpen() ? "; failOpen" : "") + ")";
    }

    /** The consumer named by consumers.jwtClaim, or {@code null}. */
    String consumer(Verified token) {
        return spec.consumerClaim() == null || token == null ? null : JwtClaims.scalar(token.claims(), spec.consumerClaim());
    }

    Result authenticate(HttpExchange ex) {
        long now = System.currentTimeMillis();
        long nanos = System.nanoTime();
        Result first = MISSING;
        List<CompletionStage<Result>> pending = null;
        for (Provider p : providers) {
            String token = p.extract(ex);
            if (token == null) {
                continue;
            }
            Result r = p.verify(token, now, nanos);
            if (r instanceof Verified) {
                return r;
            }
            if (r instanceof Pending w) {
                pending = pending == null ? new ArrayList<>() : pending;
                pending.add(w.result());
            } else if (first instanceof Missing) {
                first = r;
            }
        }
        if (pending == null) {
            return first;
        }
        Result settled = first;
        List<CompletableFuture<Result>> all = pending.stream().map(CompletionStage::toCompletableFuture).toList();
        return new Pending(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((ignored, e) -> {
            Result out = settled;
            for (CompletableFuture<Result> f : all) {
                Result r = f.isCompletedExceptionally() ? new Invalid("Jwks remote fetch is failed") : f.join();
                if (r instanceof Verified) {
                    return r;
                }
                if (out instanceof Missing) {
                    out = r;
                }
            }
            return out;
        }));
    }

    /** One provider: where its token is, what it must say, and its keys. */
    private static final class Provider {
        private final JwtSpec.Provider spec;
        private final JwksKeys local;
        private final String localProblem;
        private final RemoteJwks remote;

        Provider(JwtSpec.Provider spec) {
            this.spec = spec;
            JwksKeys keys = null;
            String problem = null;
            if (spec.localJwks() != null) {
                try {
                    keys = new JwksKeys(JWKSet.parse(spec.localJwks().json()));
                } catch (ParseException e) {
                    // the translator refuses such a policy; should one slip through, its tokens fail, never pass
                    problem = "Jwks doesn't have key to match kid or alg from Jwt";
                }
            }
            this.local = keys;
            this.localProblem = problem;
            this.remote = spec.remoteJwks() == null ? null : RemoteJwks.of(spec.remoteJwks());
        }

        String describe() {
            return spec.name() + (remote != null ? " remote " + remote.uri() : " local " + spec.localJwks().source());
        }

        /** The token from the first location that has one, its prefix stripped; {@code null} if none. */
        String extract(HttpExchange ex) {
            HttpHeaders headers = ex.request().headers();
            for (JwtSpec.Location at : spec.extractFrom()) {
                String value = switch (at.source()) {
                    case HEADER -> header(headers, at);
                    case PARAM -> param(ex, at.name());
                    case COOKIE -> cookie(headers, at.name());
                };
                if (value != null && !value.isEmpty()) {
                    return value;
                }
            }
            return null;
        }

        private static String header(HttpHeaders headers, JwtSpec.Location at) {
            String v = headers.get(at.name());
            if (v == null) {
                return null;
            }
            String prefix = at.valuePrefix();
            if (prefix.isEmpty()) {
                return v.trim();
            }
            // the scheme ("Bearer ") is case-insensitive (RFC 9110 11.1)
            return v.regionMatches(true, 0, prefix, 0, prefix.length()) ? v.substring(prefix.length()).trim() : null;
        }

        private static String param(HttpExchange ex, String name) {
            if (ex.query() == null) {
                return null;
            }
            List<String> values = new QueryStringDecoder(ex.query(), false).parameters().get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        private static String cookie(HttpHeaders headers, String name) {
            for (String header : headers.getAll(HttpHeaderNames.COOKIE)) {
                int start = 0;
                while (start < header.length()) {
                    int end = header.indexOf(';', start);
                    end = end < 0 ? header.length() : end;
                    int eq = header.indexOf('=', start);
                    if (eq > 0 && eq < end && header.substring(start, eq).trim().equals(name)) {
                        return header.substring(eq + 1, end).trim();
                    }
                    start = end + 1;
                }
            }
            return null;
        }

        Result verify(String token, long nowMillis, long nanos) {
            SignedJWT jwt;
            JWTClaimsSet claims;
            try {
                jwt = SignedJWT.parse(token);
                claims = jwt.getJWTClaimsSet();
            } catch (ParseException | RuntimeException e) {
                return new Invalid("Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections");
            }
            String problem = claimsProblem(claims, nowMillis);
            if (problem != null) {
                return new Invalid(problem);
            }
            if (remote == null) {
                return local == null ? new Invalid(localProblem) : checkSignature(jwt, claims, local);
            }
            JwksKeys held = remote.current(nanos);
            if (held != null && held.hasKeyFor(jwt.getHeader())) {
                return checkSignature(jwt, claims, held);
            }
            // no keys yet, or a kid we do not know (a rotated key): fetch, at most once per failedRefetchDuration
            CompletableFuture<JwksKeys> fetch = remote.fetch(nanos, held != null);
            if (fetch == null) {
                return new Invalid(held == null ? "Jwks remote fetch is failed"
                        : "Jwks doesn't have key to match kid or alg from Jwt");
            }
            return new Pending(fetch.handle((keys, e) -> {
                JwksKeys k = e == null ? keys : remote.current(System.nanoTime());
                return k == null ? new Invalid("Jwks remote fetch is failed") : checkSignature(jwt, claims, k);
            }));
        }

        private Result checkSignature(SignedJWT jwt, JWTClaimsSet claims, JwksKeys keys) {
            return keys.verifies(jwt) ? new Verified(spec.name(), claims, spec.claimToHeaders())
                    : new Invalid("Jwt verification fails");
        }

        private String claimsProblem(JWTClaimsSet claims, long nowMillis) {
            long skew = SKEW_SECONDS * 1000;
            Date exp = claims.getExpirationTime();
            if (exp != null && nowMillis > exp.getTime() + skew) {
                return "Jwt is expired";
            }
            Date nbf = claims.getNotBeforeTime();
            if (nbf != null && nowMillis + skew < nbf.getTime()) {
                return "Jwt not yet valid";
            }
            if (spec.issuer() != null && !spec.issuer().equals(claims.getIssuer())) {
                return "Jwt issuer is not configured";
            }
            if (!spec.audiences().isEmpty() && (claims.getAudience() == null
                    || claims.getAudience().stream().noneMatch(spec.audiences()::contains))) {
                return "Audiences in Jwt are not allowed";
            }
            return null;
        }
    }
}
