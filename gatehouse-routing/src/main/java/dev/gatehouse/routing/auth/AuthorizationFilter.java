package dev.gatehouse.routing.auth;

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
            ex.consumer(id.consumer, p.groups.getOrDefault(id.consumer, List.of()));
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
