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

/**
 * A SecurityPolicy's first filter: strips client-supplied copies of the identity headers we set, answers 500
 * for an invalid policy (fail closed), and authenticates: every configured method (apiKeyAuth, basicAuth) must
 * accept its credential, as in EG; a request that presents none at all becomes the policy's anonymous consumer
 * when it has one. A wrong or missing credential is 401 with {@code WWW-Authenticate}.
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
        if (missing) {
            if (!presented && p.anonymous != null) {
                ex.authState(p.anonymousIdentity);
                return FilterResult.CONTINUE;
            }
            return unauthorized(ex);
        }
        SecurityFilters.Identity id = keyIdentity != null && user == null ? keyIdentity
                : new SecurityFilters.Identity(client != null ? client : user, client, user, verdict);
        ex.authState(id);
        if (verdict == SecurityFilters.Identity.Verdict.PENDING) {
            return new FilterResult.Suspend(p.basic.verifyOffLoop(user, password).handle((ok, error) -> {
                id.verdict = error != null ? SecurityFilters.Identity.Verdict.BUSY
                        : ok ? SecurityFilters.Identity.Verdict.VERIFIED : SecurityFilters.Identity.Verdict.WRONG;
                return FilterResult.CONTINUE;
            }));
        }
        return FilterResult.CONTINUE;
    }

    private FilterResult unauthorized(HttpExchange ex) {
        return p.unauthorized(ex);
    }

    @Override
    public String describe() {
        return p.describe(false);
    }
}
