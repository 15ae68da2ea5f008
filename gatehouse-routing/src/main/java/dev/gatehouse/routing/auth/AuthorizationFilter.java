package dev.gatehouse.routing.auth;

import dev.gatehouse.ir.JwtSpec;
import dev.gatehouse.routing.filter.AuthOutcome;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.List;

/**
 * A SecurityPolicy's second filter, on the request's event loop (after a suspended bcrypt check, too): settles
 * authentication (the consumer and the forwarded identity headers), then applies the authorization rules: 403
 * for a caller they do not allow.
 */
final class AuthorizationFilter implements HttpFilter {
    private final SecurityFilters.Policy p;

    AuthorizationFilter(SecurityFilters.Policy policy) {
        this.p = policy;
    }

    @Override
    public FilterResult onRequest(HttpExchange ex) {
        if (p.authenticates()) {
            if (!(ex.authState() instanceof SecurityFilters.Identity id)
                    || id.verdict == SecurityFilters.Identity.Verdict.WRONG) {
                return p.unauthorized(ex);
            }
            if (id.verdict == SecurityFilters.Identity.Verdict.BUSY) {
                ex.recordAuth(AuthOutcome.ERROR);
                return new FilterResult.Respond(AuthAnswers.answer(HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "password checks are saturated: retry\n", List.of()));
            }
            if (id.jwtProblem != null) {
                return p.invalidToken(ex, id.jwtProblem);
            }
            String consumer = id.consumer != null ? id.consumer : p.jwt != null ? p.jwt.consumer(id.jwt) : null;
            if (consumer != null) {
                ex.consumer(consumer, p.groups.getOrDefault(consumer, List.of()));
            }
            if (id.jwt != null) {
                for (JwtSpec.ClaimToHeader c : id.jwt.claimToHeaders()) {
                    String value = JwtClaims.scalar(id.jwt.claims(), c.claim());
                    if (value != null) {
                        ex.request().headers().set(c.header(), value);
                    }
                }
            }
            if (id.apiClient != null && p.apiKeys.forwardHeader != null) {
                ex.request().headers().set(p.apiKeys.forwardHeader, id.apiClient);
            }
            if (id.basicUser != null && p.basic.forwardHeader != null) {
                ex.request().headers().set(p.basic.forwardHeader, id.basicUser);
            }
        }
        if (p.authorization != null && !p.authorization.allows(ex)) {
            ex.recordAuth(AuthOutcome.DENIED);
            return new FilterResult.Respond(AuthAnswers.answer(HttpResponseStatus.FORBIDDEN, "Forbidden\n", List.of()));
        }
        ex.recordAuth(AuthOutcome.ALLOWED);
        return FilterResult.CONTINUE;
    }

    @Override
    public String describe() {
        return p.describe(true);
    }
}
