package dev.gatehouse.routing.auth;

import dev.gatehouse.ir.SecurityPolicySpec;
import dev.gatehouse.routing.auth.oidc.OidcFilter;
import dev.gatehouse.routing.filter.AuthOutcome;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.filter.CorsFilter;
import dev.gatehouse.routing.filter.ExtAuthFilter;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A rule's SecurityPolicy -> its filters, which run first on the route (issue order: cors, ext-auth,
 * authentication, authorization, rate limiting, then the rule's own filters): the HTTPRoute CORS filter for its
 * {@code cors}, {@link ExtAuthFilter} for its {@code extAuth}, {@link OidcFilter} for its {@code oidc},
 * {@link AuthenticationFilter}, then {@link AuthorizationFilter}. Built once per snapshot; the credential tables are
 * hash lookups.
 */
public final class SecurityFilters {
    private SecurityFilters() {
    }

    /** @return the filters enforcing {@code spec} in order; empty for {@code null} (no policy) */
    public static List<HttpFilter> compile(SecurityPolicySpec spec) {
        return compile(spec, name -> null);
    }

    /**
     * @param clusters the snapshot's clusters by name, for the ext-auth service
     * @return the filters enforcing {@code spec} in order; empty for {@code null} (no policy)
     */
    public static List<HttpFilter> compile(SecurityPolicySpec spec, Function<String, Cluster> clusters) {
        if (spec == null) {
            return List.of();
        }
        Policy p = new Policy(spec);
        List<HttpFilter> out = new ArrayList<>(4);
        if (spec.cors() != null) {
            out.add(CorsFilter.compile(spec.cors()));
        }
        if (spec.extAuth() != null && spec.invalidReason() == null) {
            out.add(ExtAuthFilter.compile(spec.extAuth(), clusters));
        }
        if (spec.oidc() != null && spec.invalidReason() == null) {
            out.add(new OidcFilter(spec.policy(), spec.oidc(), spec.groups()));
        }
        out.add(new AuthenticationFilter(p));
        out.add(new AuthorizationFilter(p));
        return List.copyOf(out);
    }

    /** The compiled policy both filters share. */
    static final class Policy {
        private static final String BEARER = "Bearer realm=\"gatehouse\"";

        final String name;
        final String invalidReason;
        final ApiKeys apiKeys;
        final Htpasswd basic;
        final JwtAuthentication jwt;
        final Authorization authorization;
        final String anonymous;
        final Map<String, List<String>> groups;
        final boolean oidc;
        /** Headers we set upstream: a client's own copies are removed before anything else. */
        final List<String> identityHeaders = new ArrayList<>();
        final List<String> challenges = new ArrayList<>();
        /** The identity of a request without credentials when the policy has an anonymous consumer, else null. */
        final Identity anonymousIdentity;

        Policy(SecurityPolicySpec spec) {
            name = spec.policy();
            invalidReason = spec.invalidReason();
            apiKeys = spec.apiKeyAuth() == null ? null : new ApiKeys(spec.apiKeyAuth());
            basic = spec.basicAuth() == null ? null : new Htpasswd(spec.basicAuth());
            jwt = spec.jwt() == null ? null : new JwtAuthentication(spec.jwt());
            authorization = spec.authorization() == null ? null : new Authorization(spec.authorization());
            anonymous = spec.anonymous();
            anonymousIdentity = anonymous == null ? null : Identity.verified(anonymous, null, null);
            groups = spec.groups();
            oidc = spec.oidc() != null;
            if (apiKeys != null) {
                challenges.add("ApiKey realm=\"gatehouse\"");
                if (apiKeys.forwardHeader != null) {
                    identityHeaders.add(apiKeys.forwardHeader);
                }
            }
            if (basic != null) {
                challenges.add("Basic realm=\"gatehouse\", charset=\"UTF-8\"");
                if (basic.forwardHeader != null) {
                    identityHeaders.add(basic.forwardHeader);
                }
            }
            if (jwt != null) {
                challenges.add(BEARER);
                identityHeaders.addAll(jwt.claimHeaders());
            }
        }

        /** 401 for a token that is there but bad: its Bearer challenge says invalid_token (RFC 6750 3.1). */
        FilterResult invalidToken(HttpExchange ex, String reason) {
            ex.recordAuth(AuthOutcome.UNAUTHENTICATED);
            return new FilterResult.Respond(AuthAnswers.answer(HttpResponseStatus.UNAUTHORIZED, reason + "\n",
                    challenges.stream().map(c -> c.equals(BEARER) ? BEARER + ", error=\"invalid_token\"" : c).toList()));
        }

        /** 401 with a challenge per method, counted as unauthenticated. */
        FilterResult unauthorized(HttpExchange ex) {
            ex.recordAuth(AuthOutcome.UNAUTHENTICATED);
            // a jwt-only policy says what Envoy says; with keys or passwords too, EG's generic body
            return new FilterResult.Respond(AuthAnswers.answer(HttpResponseStatus.UNAUTHORIZED,
                    apiKeys == null && basic == null && jwt != null ? "Jwt is missing\n" : AuthAnswers.UNAUTHENTICATED,
                    challenges));
        }

        boolean authenticates() {
            return apiKeys != null || basic != null || jwt != null;
        }

        /** For explain and the dashboard: which policy, and what this step of it checks. */
        String describe(boolean authorizationStep) {
            List<String> parts = new ArrayList<>();
            if (invalidReason != null) {
                parts.add("invalid, answers 500: " + invalidReason);
            } else if (authorizationStep) {
                parts.add(authorization == null ? "no rules: every authenticated caller is allowed"
                        : authorization.describe());
            } else {
                if (apiKeys != null) {
                    parts.add("apiKeyAuth");
                }
                if (basic != null) {
                    parts.add("basicAuth");
                }
                if (jwt != null) {
                    parts.add(jwt.describe() + (oidc ? " unless an oidc session stands in for a missing token" : ""));
                }
                if (oidc) {
                    parts.add("oidc session (checked by the filter before)");
                }
                if (anonymous != null) {
                    parts.add("anonymous consumer " + anonymous);
                }
                if (parts.isEmpty()) {
                    parts.add("no authentication");
                }
            }
            return "SecurityPolicy " + name + " " + (authorizationStep ? "authorization" : "authentication")
                    + " (" + String.join(", ", parts) + ")";
        }
    }

    /**
     * Who authentication found, handed to {@link AuthorizationFilter} through the exchange. A bcrypt check that
     * ran off the loop writes {@link #verdict} before its stage completes; the proxy resumes the chain on the
     * request's event loop after that, so the authorization filter reads it there. A verified identity never
     * changes, so one per API key (and per anonymous consumer) is built with the snapshot and shared by requests.
     */
    static final class Identity {
        enum Verdict { VERIFIED, PENDING, WRONG, BUSY }

        final String consumer;
        final String apiClient;
        final String basicUser;
        volatile Verdict verdict;
        /** The verified JWT, or {@code null}; written before a pending JWKS fetch's stage completes. */
        volatile JwtAuthentication.Verified jwt;
        /** Why a presented JWT was refused (the 401's body), or {@code null}. */
        volatile String jwtProblem;

        Identity(String consumer, String apiClient, String basicUser, Verdict verdict) {
            this.consumer = consumer;
            this.apiClient = apiClient;
            this.basicUser = basicUser;
            this.verdict = verdict;
        }

        static Identity verified(String consumer, String apiClient, String basicUser) {
            return new Identity(consumer, apiClient, basicUser, Verdict.VERIFIED);
        }
    }
}
