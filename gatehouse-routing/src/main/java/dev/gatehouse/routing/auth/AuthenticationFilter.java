package dev.gatehouse.routing.auth;

import dev.gatehouse.routing.filter.AuthOutcome;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A SecurityPolicy's first filter: strips client-supplied copies of the identity headers we set, answers 500
 * for an invalid policy (fail closed), and authenticates: every configured method (apiKeyAuth, basicAuth, jwt)
 * must accept its credential, as in EG (an {@code optional} jwt accepts none, and so does jwt beside a valid oidc
 * session); a request that presents none at all becomes the policy's anonymous consumer when it has one. A wrong or missing credential is 401 with
 * {@code WWW-Authenticate}. A bcrypt check or a JWKS fetch suspends the request; the authorization filter reads
 * the outcome on the request's event loop.
 */
final class AuthenticationFilter implements HttpFilter {
    private final SecurityFilters.Policy p;

    AuthenticationFilter(SecurityFilters.Policy policy) {
        this.p = policy;
    }

    @Override
    public FilterResult onRequest(HttpExchange ex) {
        for (String h : p.identityHeaders) {
            ex.request().headers().remove(h);
        }
        if (p.invalidReason != null) {
            ex.recordAuth(AuthOutcome.ERROR);
            return new FilterResult.Respond(AuthAnswers.answer(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "internal error: " + p.name + " is an invalid SecurityPolicy (see its status)\n", List.of()));
        }
        if (!p.authenticates()) {
            return FilterResult.CONTINUE;
        }
        boolean missing = false;
        boolean presented = false;
        String client = null;
        SecurityFilters.Identity keyIdentity = null;
        if (p.apiKeys != null) {
            ApiKeys.Result r = p.apiKeys.authenticate(ex);
            if (r instanceof ApiKeys.Wrong) {
                return unauthorized(ex);
            }
            if (r instanceof ApiKeys.Client c) {
                client = c.id();
                keyIdentity = c.identity();
                presented = true;
            } else {
                missing = true;
            }
        }
        String user = null;
        String password = null;
        SecurityFilters.Identity.Verdict verdict = SecurityFilters.Identity.Verdict.VERIFIED;
        if (p.basic != null) {
            String header = ex.request().headers().get(HttpHeaderNames.AUTHORIZATION);
            if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
                missing = true;
            } else {
                presented = true;
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return unauthorized(ex);
                }
                int colon = decoded.indexOf(':');
                if (colon < 0) {
                    return unauthorized(ex);
                }
                user = decoded.substring(0, colon);
                password = decoded.substring(colon + 1);
                switch (p.basic.check(user, password)) {
                    case INVALID -> {
                        return unauthorized(ex);
                    }
                    case SLOW -> verdict = SecurityFilters.Identity.Verdict.PENDING;
                    case VALID -> { }
                }
            }
        }
        JwtAuthentication.Result token = null;
        if (p.jwt != null) {
            token = p.jwt.authenticate(ex);
            if (token instanceof JwtAuthentication.Invalid bad) {
                if (!p.jwt.spec.failOpen()) {
                    return p.invalidToken(ex, bad.reason());
                }
                token = null;
            } else if (token instanceof JwtAuthentication.Missing) {
                // with oidc, a browser's session (its consumer set by OidcFilter) stands in for the token, as EG
                // lets a missing JWT through there; a Bearer that skipped the login (passThroughAuthHeader) is
                // a token, checked above
                if (p.oidc && ex.consumer() != null) {
                    presented = true;
                } else {
                    missing |= !p.jwt.spec.optional() && !p.jwt.spec.failOpen();
                }
                token = null;
            } else {
                presented = true;
            }
        }
        if (!presented && p.anonymous != null) {
            ex.authState(p.anonymousIdentity);
            return FilterResult.CONTINUE;
        }
        if (missing) {
            return unauthorized(ex);
        }
        // an API key's identity is built once per key and shared by its requests: only when nothing below writes to
        // it (a bcrypt verdict, a JWT), else this request's own
        SecurityFilters.Identity id = keyIdentity != null && user == null && token == null ? keyIdentity
                : new SecurityFilters.Identity(client != null ? client : user, client, user, verdict);
        ex.authState(id);
        CompletableFuture<?> wait = null;
        if (verdict == SecurityFilters.Identity.Verdict.PENDING) {
            wait = p.basic.verifyOffLoop(user, password).handle((ok, error) -> {
                id.verdict = error != null ? SecurityFilters.Identity.Verdict.BUSY
                        : ok ? SecurityFilters.Identity.Verdict.VERIFIED : SecurityFilters.Identity.Verdict.WRONG;
                return null;
            }).toCompletableFuture();
        }
        if (token instanceof JwtAuthentication.Verified v) {
            id.jwt = v;
        } else if (token instanceof JwtAuthentication.Pending later) {
            CompletableFuture<?> fetched = later.result().handle((r, error) -> {
                settle(id, error == null ? r : new JwtAuthentication.Invalid("Jwks remote fetch is failed"));
                return null;
            }).toCompletableFuture();
            wait = wait == null ? fetched : CompletableFuture.allOf(wait, fetched);
        }
        return wait == null ? FilterResult.CONTINUE : new FilterResult.Suspend(wait.thenApply(x -> FilterResult.CONTINUE));
    }

    /** Off the loop: what a token came to once its JWKS arrived; failOpen drops a refused token. */
    private void settle(SecurityFilters.Identity id, JwtAuthentication.Result r) {
        if (r instanceof JwtAuthentication.Verified v) {
            id.jwt = v;
        } else if (r instanceof JwtAuthentication.Invalid bad && !p.jwt.spec.failOpen()) {
            id.jwtProblem = bad.reason();
        }
    }

    private FilterResult unauthorized(HttpExchange ex) {
        return p.unauthorized(ex);
    }

    @Override
    public String describe() {
        return p.describe(false);
    }
}
