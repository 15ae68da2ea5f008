package dev.gatehouse.ir;

import java.util.List;
import java.util.Map;

/**
 * The SecurityPolicy that applies to a route rule (the most specific one, whole), as the data plane enforces it:
 * authentication (API keys, basic auth), then authorization. Credentials are carried hashed: API keys as SHA-256
 * digests, passwords as their htpasswd hashes; the routing module builds hash lookups from them per snapshot.
 *
 * @param policy "ns/name" of the SecurityPolicy, for logs, metrics and explain
 * @param invalidReason why the policy could not be translated (missing Secret, bad htpasswd...): the rule then
 *                      answers 500 to every request (fail closed); {@code null} when valid
 * @param apiKeyAuth the {@code apiKeyAuth} field, or {@code null}
 * @param basicAuth the {@code basicAuth} field, or {@code null}
 * @param authorization the {@code authorization} field, or {@code null} (everyone authenticated is allowed)
 * @param anonymous gatehouse.dev's {@code consumers.anonymous}: the consumer of a request that presents no
 *                  credential at all (it is then authenticated as this consumer), or {@code null} (401)
 * @param groups gatehouse.dev's {@code consumers.groups}: consumer id -> the groups it belongs to
 * @param cors the {@code cors} field, or {@code null}: answered before authentication, so that a browser's
 *             preflight needs no credential
 * @param jwt the {@code jwt} field, or {@code null}
 * @param oidc the {@code oidc} field, or {@code null}
 * @param extAuth the {@code extAuth} field, or {@code null}: asked after cors, before authentication
 */
public record SecurityPolicySpec(String policy, String invalidReason, ApiKeyAuthSpec apiKeyAuth,
                                 BasicAuthSpec basicAuth, AuthorizationSpec authorization, String anonymous,
                                 Map<String, List<String>> groups, FilterSpec.CorsSpec cors, JwtSpec jwt,
                                 OidcSpec oidc, ExtAuthSpec extAuth) {
    public SecurityPolicySpec {
        groups = groups == null ? Map.of() : Map.copyOf(groups);
    }

    public SecurityPolicySpec(String policy, String invalidReason, ApiKeyAuthSpec apiKeyAuth, BasicAuthSpec basicAuth,
                              AuthorizationSpec authorization, String anonymous, Map<String, List<String>> groups) {
        this(policy, invalidReason, apiKeyAuth, basicAuth, authorization, anonymous, groups, null, null, null, null);
    }

    public SecurityPolicySpec(String policy, String invalidReason, ApiKeyAuthSpec apiKeyAuth, BasicAuthSpec basicAuth,
                              AuthorizationSpec authorization, String anonymous, Map<String, List<String>> groups,
                              FilterSpec.CorsSpec cors) {
        this(policy, invalidReason, apiKeyAuth, basicAuth, authorization, anonymous, groups, cors, null, null, null);
    }

    /** A policy that failed translation: its rules answer 500. */
    public static SecurityPolicySpec invalid(String policy, String reason) {
        return new SecurityPolicySpec(policy, reason, null, null, null, null, Map.of(), null, null, null, null);
    }

    /** Where a credential is read from. */
    public enum Source { HEADER, PARAM, COOKIE }

    /** One {@code extractFrom} item: names of one kind, tried in order. */
    public record Extract(Source source, List<String> names) {
        public Extract {
            names = List.copyOf(names);
        }
    }

    /** One API key: the client id and the SHA-256 digest of its key. */
    public record ApiKey(String clientId, byte[] keySha256) { }

    /**
     * @param keys in credentialRefs order (each Secret's keys sorted); a client id appears once
     * @param extractFrom the sources, in order; the first that yields a value is used
     * @param forwardClientIdHeader header set to the client id upstream, or {@code null}
     * @param sanitize remove the key from the request before forwarding
     */
    public record ApiKeyAuthSpec(List<ApiKey> keys, List<Extract> extractFrom, String forwardClientIdHeader,
                                 boolean sanitize) {
        public ApiKeyAuthSpec {
            keys = List.copyOf(keys);
            extractFrom = List.copyOf(extractFrom);
        }
    }

    /** One htpasswd line: the user and its hash ({@code {SHA}}, {@code {SSHA}} or bcrypt {@code $2a$/$2b$/$2y$}). */
    public record HtpasswdUser(String user, String hash) { }

    /** @param forwardUsernameHeader header set to the user name upstream, or {@code null} */
    public record BasicAuthSpec(List<HtpasswdUser> users, String forwardUsernameHeader) {
        public BasicAuthSpec {
            users = List.copyOf(users);
        }
    }

    public enum Action { ALLOW, DENY }

    /** @param rules in order; the first that matches decides, else {@code defaultAction} */
    public record AuthorizationSpec(Action defaultAction, List<AuthorizationRule> rules) {
        public AuthorizationSpec {
            rules = List.copyOf(rules);
        }
    }

    /**
     * One rule: every part present must match (an empty list is absent).
     *
     * @param clientCidrs any CIDR matches the client address
     * @param headers every header must have one of its values (exact)
     * @param consumers gatehouse.dev addition: the request's consumer is one of these
     * @param consumerGroups gatehouse.dev addition: the consumer belongs to one of these groups
     * @param methods the request method is one of these (operation.methods)
     * @param path operation.path, or {@code null}
     * @param jwt principal.jwt: the verified token's claims and scopes, or {@code null}
     */
    public record AuthorizationRule(String name, Action action, List<String> clientCidrs,
                                    Map<String, List<String>> headers, List<String> consumers,
                                    List<String> consumerGroups, List<String> methods, PathSpec path,
                                    JwtSpec.Principal jwt) {
        public AuthorizationRule {
            clientCidrs = List.copyOf(clientCidrs);
            headers = Map.copyOf(headers);
            consumers = List.copyOf(consumers);
            consumerGroups = List.copyOf(consumerGroups);
            methods = List.copyOf(methods);
        }

        public AuthorizationRule(String name, Action action, List<String> clientCidrs,
                                 Map<String, List<String>> headers, List<String> consumers,
                                 List<String> consumerGroups, List<String> methods, PathSpec path) {
            this(name, action, clientCidrs, headers, consumers, consumerGroups, methods, path, null);
        }
    }

    public enum PathType { EXACT, PATH_PREFIX, REGULAR_EXPRESSION }

    public record PathSpec(PathType type, String value, boolean invert) { }
}
