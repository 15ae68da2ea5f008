package dev.gatehouse.translate;

import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.ExtAuthSpec;
import dev.gatehouse.ir.FilterSpec;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.OidcSpec;
import dev.gatehouse.ir.SecurityPolicySpec;
import dev.gatehouse.translate.validate.DurationFormat;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * {@code SecurityPolicy} ({@code gatehouse.dev/v1alpha1}, Envoy Gateway v1.9's spec, read as a generic resource)
 * -> the {@link SecurityPolicySpec} of each HTTPRoute and GRPCRoute rule, with EG's targeting, precedence and
 * statuses ({@link PolicyAttachments}).
 *
 * <p>Unlike a BackendTrafficPolicy, an invalid SecurityPolicy (a field gatehouse does not serve yet, a missing
 * or malformed Secret) still takes its targets: it is {@code Accepted=False, Invalid} and the routes it would
 * protect answer 500. A mistake in a policy that guards a route must close it, never open it (EG does the same).
 *
 * <p>The Secrets it references are read from the resource set, as certificates are: a change to one is a new
 * snapshot by hot reload. A Secret in another namespace needs a ReferenceGrant from {@code gatehouse.dev}
 * SecurityPolicy.
 */
final class SecurityPolicyTranslator {
    static final String KIND = "SecurityPolicy";
    static final String GROUP = "gatehouse.dev";
    static final String HTPASSWD_KEY = ".htpasswd";
    private static final String API_KEYS = "spec.apiKeyAuth.credentialRefs";
    private static final String USERS = "spec.basicAuth.users";
    /** EG's default remoteJWKS.cacheDuration, and Envoy's default failed-refetch spacing. */
    private static final java.time.Duration JWKS_CACHE = java.time.Duration.ofSeconds(300);
    private static final java.time.Duration JWKS_REFETCH = java.time.Duration.ofSeconds(1);
    private static final String JWKS_KEY = "jwks";
    private static final String EXT_AUTH = "spec.extAuth";
    private static final String OIDC = "spec.oidc";
    /** EG's Secret keys for the OIDC client, and EG's name for the cookie key (gatehouse.dev's cookieSecret). */
    static final String OIDC_CLIENT_ID_KEY = "client-id";
    static final String OIDC_CLIENT_SECRET_KEY = "client-secret";
    static final String OIDC_COOKIE_SECRET_KEY = "hmac-secret";
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$[0-9]{2}\\$[./A-Za-z0-9]{53}");

    /** Where a Secret's problems are reported, by field. */
    @FunctionalInterface
    interface Problems {
        void add(String field, String message);
    }

    private final ResourceIndex index;
    private final ReferenceGrants grants;
    private final PolicyAttachments<SecurityPolicySpec> attachments;
    private final BackendResolver backends;
    /** The clusters of each policy's ext-auth service, by "ns/name": in the snapshot once a rule uses the policy. */
    private final Map<String, Map<String, ClusterSpec>> extAuthClusters = new HashMap<>();

    SecurityPolicyTranslator(ResourceIndex index, ReferenceGrants grants, BackendResolver backends,
                             Map<String, List<ListenerState>> listenersByGateway,
                             Map<String, List<ListenerState>> listenersBySet, String controllerName,
                             List<Diagnostic> diagnostics) {
        this.index = index;
        this.grants = grants;
        this.backends = backends;
        attachments = new PolicyAttachments<>(KIND, "securityPolicies", SecurityPolicyValidator.TARGET_KINDS, true,
                index, listenersByGateway, listenersBySet, controllerName);
        for (GenericKubernetesResource object : index.securityPolicies) {
            String self = ResourceIndex.qualifiedName(object);
            ResourceSet.Entry origin = index.origin(object);
            List<Diagnostic> problems = new ArrayList<>(SecurityPolicyValidator.validate(object, origin));
            SecurityPolicySpec spec = null;
            if (problems.isEmpty()) {
                Problems secretProblems = (field, message) -> problems.add(PolicyFields.diagnostic(
                        Diagnostic.Severity.WARNING, KIND, object, origin, field, message));
                spec = specOf((Map<?, ?>) object.getAdditionalProperties().get("spec"), object, secretProblems);
            }
            diagnostics.addAll(problems);
            String reason = problems.isEmpty() ? null : String.join("; ", problems.stream()
                    .map(d -> d.field() + ": " + d.message()).toList());
            if (reason != null && spec != null && spec.extAuth() != null && spec.extAuth().failOpen()
                    && problems.stream().allMatch(d -> d.field().startsWith(EXT_AUTH))) {
                // EG: failOpen also bypasses an ext-auth configuration that cannot be used; the rest still applies
                reason += " (failOpen: the ext-auth check is bypassed)";
                spec = new SecurityPolicySpec(spec.policy(), null, spec.apiKeyAuth(), spec.basicAuth(),
                        spec.authorization(), spec.anonymous(), spec.groups(), spec.cors(), spec.jwt(), spec.oidc(), null);
            } else if (reason != null) {
                spec = SecurityPolicySpec.invalid(self, reason);
            }
            attachments.add(object, spec, reason == null ? null : Conditions.policyInvalid(reason), diagnostics);
        }
        attachments.done();
    }

    static boolean isPolicy(Object o) {
        return o instanceof GenericKubernetesResource g && KIND.equals(g.getKind())
                && BackendTrafficPolicyTranslator.API_VERSION.equals(g.getApiVersion());
    }

    /** The route's rules, each with the SecurityPolicy that applies to it (the most specific, whole). */
    HttpRouteTranslator.Result apply(String kind, HasMetadata route, List<ParentReference> parentRefs,
                                     HttpRouteTranslator.Result result) {
        if (attachments.isEmpty()) {
            return result; // no SecurityPolicy took a target: nothing to choose for each rule of thousands of routes
        }
        Map<Integer, PolicyAttachments.Choice<SecurityPolicySpec>> byRule = new HashMap<>();
        List<RouteRule> rules = new ArrayList<>();
        for (RouteRule rule : result.rules()) {
            HttpRuleSpec s = rule.spec();
            PolicyAttachments.Choice<SecurityPolicySpec> c = byRule.computeIfAbsent(s.route().ruleIndex(),
                    r -> attachments.choose(kind, route, s.route().ruleName(), parentRefs));
            rules.add(c == null ? rule : new RouteRule(s.withSecurity(c.policy().spec).withPolicyChoice(c.why()),
                    rule.created(), rule.grpcMethod()));
        }
        Map<String, ClusterSpec> clusters = result.clusters();
        for (PolicyAttachments.Choice<SecurityPolicySpec> c : byRule.values()) {
            if (c != null && c.policy().spec.extAuth() != null) {
                clusters = new TreeMap<>(clusters);
                clusters.putAll(extAuthClusters.getOrDefault(c.policy().spec.policy(), Map.of()));
            }
        }
        return new HttpRouteTranslator.Result(rules, clusters, result.resolvedRefs(), result.rejection(),
                result.warnings());
    }

    List<ResourceStatus> statuses() {
        return attachments.statuses();
    }

    // --- the spec, once validated; Secret problems go to {@code problems}

    private SecurityPolicySpec specOf(Map<?, ?> spec, GenericKubernetesResource policy, Problems problems) {
        String self = ResourceIndex.qualifiedName(policy);
        Map<?, ?> consumers = map(spec, "consumers");
        Map<String, List<String>> groups = new TreeMap<>();
        if (consumers.get("groups") instanceof List<?> list) {
            for (Object o : list) {
                Map<?, ?> g = (Map<?, ?>) o;
                for (Object member : (List<?>) g.get("members")) {
                    groups.computeIfAbsent(String.valueOf(member), m -> new ArrayList<>()).add(String.valueOf(g.get("name")));
                }
            }
        }
        return new SecurityPolicySpec(self, null, apiKeyAuth(present(spec, "apiKeyAuth"), policy, problems),
                basicAuth(present(spec, "basicAuth"), policy, problems), authorization(present(spec, "authorization")),
                consumers.get("anonymous") instanceof String a ? a : null, groups, cors(present(spec, "cors")),
                jwt(present(spec, "jwt"), policy, problems), oidc(present(spec, "oidc"), policy, problems),
                extAuth(present(spec, "extAuth"), policy, problems));
    }

    /**
     * EG's jwt; {@code null} when absent. A local JWKS (inline or a ConfigMap's {@code jwks} key, else its first
     * key) must parse as a JWK set: one that does not makes the policy Invalid, its routes answer 500.
     */
    private dev.gatehouse.ir.JwtSpec jwt(Map<?, ?> j, GenericKubernetesResource policy, Problems problems) {
        if (j == null) {
            return null;
        }
        List<dev.gatehouse.ir.JwtSpec.Provider> providers = new ArrayList<>();
        List<?> list = (List<?>) j.get("providers");
        for (int i = 0; i < list.size(); i++) {
            Map<?, ?> p = (Map<?, ?>) list.get(i);
            String at = "spec.jwt.providers[" + i + "]";
            Map<?, ?> remote = present(p, "remoteJWKS");
            dev.gatehouse.ir.JwtSpec.RemoteJwks remoteJwks = remote == null ? null
                    : new dev.gatehouse.ir.JwtSpec.RemoteJwks(String.valueOf(remote.get("uri")),
                    duration(remote, "cacheDuration", JWKS_CACHE),
                    duration(remote, "failedRefetchDuration", JWKS_REFETCH));
            List<dev.gatehouse.ir.JwtSpec.ClaimToHeader> claimToHeaders = new ArrayList<>();
            for (Object o : p.get("claimToHeaders") instanceof List<?> l ? l : List.of()) {
                Map<?, ?> m = (Map<?, ?>) o;
                claimToHeaders.add(new dev.gatehouse.ir.JwtSpec.ClaimToHeader(header(m, "header"),
                        String.valueOf(m.get("claim"))));
            }
            providers.add(new dev.gatehouse.ir.JwtSpec.Provider(String.valueOf(p.get("name")),
                    p.get("issuer") instanceof String iss && !iss.isEmpty() ? iss : null, strings(p.get("audiences")),
                    localJwks(present(p, "localJWKS"), policy, at + ".localJWKS", problems), remoteJwks,
                    claimToHeaders, tokenLocations(present(p, "extractFrom"))));
        }
        Map<?, ?> consumers = map((Map<?, ?>) policy.getAdditionalProperties().get("spec"), "consumers");
        return new dev.gatehouse.ir.JwtSpec(Boolean.TRUE.equals(j.get("optional")),
                Boolean.TRUE.equals(j.get("failOpen")),
                consumers.get("jwtClaim") instanceof String c ? c : null, providers);
    }

    private dev.gatehouse.ir.JwtSpec.LocalJwks localJwks(Map<?, ?> l, GenericKubernetesResource policy, String at,
                                                         Problems problems) {
        if (l == null) {
            return null;
        }
        String source = "inline";
        String json = l.get("inline") instanceof String s ? s : null;
        if (present(l, "valueRef") != null) {
            String name = String.valueOf(present(l, "valueRef").get("name"));
            String ns = ResourceIndex.namespace(policy);
            source = "ConfigMap " + ns + "/" + name;
            io.fabric8.kubernetes.api.model.ConfigMap cm = index.configMaps.get(ResourceIndex.key(ns, name));
            Map<String, String> data = cm == null || cm.getData() == null ? Map.of() : new TreeMap<>(cm.getData());
            json = data.containsKey(JWKS_KEY) ? data.get(JWKS_KEY) : data.values().stream().findFirst().orElse(null);
            if (cm == null) {
                problems.add(at + ".valueRef", source + " does not exist");
                return null;
            }
            if (json == null) {
                problems.add(at + ".valueRef", source + " has no data (the JWKS is read from key " + JWKS_KEY
                        + ", else the first key)");
                return null;
            }
        }
        try {
            List<com.nimbusds.jose.jwk.JWK> keys = com.nimbusds.jose.jwk.JWKSet.parse(json).getKeys();
            if (keys.isEmpty()) {
                problems.add(at, source + ": the JWKS has no keys");
            }
            for (com.nimbusds.jose.jwk.JWK k : keys) {
                // RFC 7518 3.2: an HMAC key is at least as long as the hash; Nimbus refuses shorter ones to verify
                if (k instanceof com.nimbusds.jose.jwk.OctetSequenceKey oct && oct.toByteArray().length < 32) {
                    problems.add(at, source + ": HMAC key " + (k.getKeyID() == null ? "without kid" : k.getKeyID())
                            + " is shorter than 256 bits");
                }
            }
        } catch (java.text.ParseException e) {
            problems.add(at, source + ": not a JWKS: " + e.getMessage());
        }
        return new dev.gatehouse.ir.JwtSpec.LocalJwks(source, json);
    }

    /** EG's extractFrom; absent: {@code Authorization: Bearer <token>}, then the {@code access_token} parameter. */
    private static List<dev.gatehouse.ir.JwtSpec.Location> tokenLocations(Map<?, ?> e) {
        if (e == null) {
            return List.of(new dev.gatehouse.ir.JwtSpec.Location(SecurityPolicySpec.Source.HEADER, "authorization",
                    "Bearer "), new dev.gatehouse.ir.JwtSpec.Location(SecurityPolicySpec.Source.PARAM, "access_token", ""));
        }
        List<dev.gatehouse.ir.JwtSpec.Location> out = new ArrayList<>();
        for (Object o : e.get("headers") instanceof List<?> l ? l : List.of()) {
            Map<?, ?> h = (Map<?, ?>) o;
            out.add(new dev.gatehouse.ir.JwtSpec.Location(SecurityPolicySpec.Source.HEADER, header(h, "name"),
                    h.get("valuePrefix") instanceof String p ? p : ""));
        }
        for (String c : strings(e.get("cookies"))) {
            out.add(new dev.gatehouse.ir.JwtSpec.Location(SecurityPolicySpec.Source.COOKIE, c, ""));
        }
        for (String p : strings(e.get("params"))) {
            out.add(new dev.gatehouse.ir.JwtSpec.Location(SecurityPolicySpec.Source.PARAM, p, ""));
        }
        return out;
    }

    /**
     * EG's oidc; {@code null} when absent. The cookie key is derived (HMAC-SHA256) from gatehouse.dev's
     * {@code cookieSecret} ({@code hmac-secret} key, EG's name for its own generated key), or from the client secret
     * when that is not set: either way every replica derives the same key, so any of them reads a session or
     * finishes a login another one started.
     */
    private OidcSpec oidc(Map<?, ?> o, GenericKubernetesResource policy, Problems problems) {
        if (o == null) {
            return null;
        }
        Map<?, ?> p = map(o, "provider");
        String issuer = String.valueOf(p.get("issuer"));
        String clientId = o.get("clientID") instanceof String id ? id : null;
        List<String> sources = new ArrayList<>();
        if (clientId == null) {
            clientId = secretKey((Map<?, ?>) o.get("clientIDRef"), OIDC_CLIENT_ID_KEY, policy, OIDC + ".clientIDRef",
                    problems, sources);
        }
        String clientSecret = secretKey((Map<?, ?>) o.get("clientSecret"), OIDC_CLIENT_SECRET_KEY, policy,
                OIDC + ".clientSecret", problems, sources);
        String cookieSecret = clientSecret;
        if (o.get("cookieSecret") instanceof Map<?, ?> ref) {
            cookieSecret = secretKey(ref, OIDC_COOKIE_SECRET_KEY, policy, OIDC + ".cookieSecret", problems, sources);
            if (cookieSecret != null && cookieSecret.length() < 32) {
                problems.add(OIDC + ".cookieSecret", "the " + OIDC_COOKIE_SECRET_KEY + " key must hold at least 32"
                        + " characters (e.g. openssl rand -base64 32)");
            }
        }
        if (clientId == null || clientSecret == null || cookieSecret == null) {
            return null;
        }
        List<String> scopes = new ArrayList<>(strings(o.get("scopes")));
        if (!scopes.contains("openid")) {
            scopes.add(0, "openid");
        }
        String redirectUrl = o.get("redirectURL") instanceof String r ? r : null;
        String redirectPath = redirectUrl == null ? "/oauth2/callback" : java.net.URI.create(redirectUrl).getRawPath();
        String hash = hex(sha256(ResourceIndex.qualifiedName(policy))).substring(0, 8);
        Map<?, ?> names = map(o, "cookieNames");
        List<OidcSpec.HeaderMatch> deny = new ArrayList<>();
        for (Object h : map(o, "denyRedirect").get("headers") instanceof List<?> l ? l : List.of()) {
            Map<?, ?> m = (Map<?, ?>) h;
            deny.add(new OidcSpec.HeaderMatch(String.valueOf(m.get("name")).toLowerCase(Locale.ROOT),
                    switch (m.get("type") instanceof String t ? t : "Exact") {
                        case "Prefix" -> OidcSpec.MatchType.PREFIX;
                        case "Suffix" -> OidcSpec.MatchType.SUFFIX;
                        case "RegularExpression" -> OidcSpec.MatchType.REGULAR_EXPRESSION;
                        default -> OidcSpec.MatchType.EXACT;
                    }, String.valueOf(m.get("value"))));
        }
        byte[] key = hmacSha256(cookieSecret.getBytes(StandardCharsets.UTF_8),
                "gatehouse.dev oidc cookies\0" + issuer + "\0" + clientId);
        return new OidcSpec(new OidcSpec.Provider(issuer, string(p, "authorizationEndpoint"),
                string(p, "tokenEndpoint"), string(p, "endSessionEndpoint")), clientId,
                new OidcSpec.Credentials(clientSecret, key, String.join(", ", sources)), scopes,
                strings(o.get("resources")), redirectUrl, redirectPath == null || redirectPath.isEmpty() ? "/"
                : redirectPath, o.get("logoutPath") instanceof String lp ? lp : "/logout",
                Boolean.TRUE.equals(o.get("forwardAccessToken")), header(map(o, "forwardIDToken"), "header"),
                !Boolean.FALSE.equals(o.get("refreshToken")), duration(o, "defaultTokenTTL", null),
                duration(o, "defaultRefreshTokenTTL", java.time.Duration.ofDays(7)),
                duration(o, "csrfTokenTTL", java.time.Duration.ofMinutes(10)),
                names.get("accessToken") instanceof String a ? a : "AccessToken-" + hash,
                names.get("idToken") instanceof String i ? i : "IdToken-" + hash,
                o.get("cookieDomain") instanceof String d ? d : null,
                map(o, "cookieConfig").get("sameSite") instanceof String ss ? ss : "Lax", deny,
                Boolean.TRUE.equals(o.get("passThroughAuthHeader")));
    }

    /** One key of a referenced Secret (its "ns/name" added to {@code sources}); {@code null} when missing. */
    private String secretKey(Map<?, ?> ref, String key, GenericKubernetesResource policy, String field,
                             Problems problems, List<String> sources) {
        Secret secret = secret(ref, policy, field, problems);
        if (secret == null) {
            return null;
        }
        String value = SecretValues.value(secret, key);
        if (value == null || value.isEmpty()) {
            problems.add(field, "Secret " + ResourceIndex.qualifiedName(secret) + " has no " + key + " key");
            return null;
        }
        if (!sources.contains(ResourceIndex.qualifiedName(secret))) {
            sources.add(ResourceIndex.qualifiedName(secret));
        }
        return value;
    }

    private static String string(Map<?, ?> m, String key) {
        return m.get(key) instanceof String s && !s.isEmpty() ? s : null;
    }

    private static java.time.Duration duration(Map<?, ?> m, String key, java.time.Duration otherwise) {
        return m.get(key) instanceof String s ? DurationFormat.parse(s) : otherwise;
    }

    private static byte[] hmacSha256(byte[] key, String data) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JRE", e);
        }
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    /**
     * EG's extAuth ({@code http} only: the validator refuses {@code grpc} by name); {@code null} when absent. Its
     * backendRefs resolve like a route's (a Service in another namespace needs a ReferenceGrant from
     * gatehouse.dev SecurityPolicy); one that does not is a problem of the policy, which then fails closed.
     */
    private ExtAuthSpec extAuth(Map<?, ?> e, GenericKubernetesResource policy, Problems problems) {
        if (e == null) {
            return null;
        }
        String self = ResourceIndex.qualifiedName(policy);
        Map<?, ?> http = map(e, "http");
        List<Object> refs = new ArrayList<>(http.get("backendRefs") instanceof List<?> l ? l : List.of());
        String field = EXT_AUTH + ".http.backendRefs";
        if (refs.isEmpty() && http.get("backendRef") instanceof Map<?, ?> single) {
            refs.add(single); // EG's deprecated single reference
            field = EXT_AUTH + ".http.backendRef";
        }
        Map<String, ClusterSpec> clusters = extAuthClusters.computeIfAbsent(self, k -> new TreeMap<>());
        List<ExtAuthSpec.Backend> out = new ArrayList<>();
        for (int i = 0; i < refs.size(); i++) {
            Map<?, ?> ref = (Map<?, ?>) refs.get(i);
            BackendResolver.Resolution r = backends.resolve(GROUP, KIND, new BackendResolver.Target(
                    ref.get("group") instanceof String g ? g : null, ref.get("kind") instanceof String k ? k : null,
                    String.valueOf(ref.get("name")), ref.get("namespace") instanceof String n ? n : null,
                    ref.get("port") instanceof Number n ? n.intValue() : null), ResourceIndex.namespace(policy), clusters);
            if (r.invalidReason() != null) {
                problems.add(refs.size() == 1 && field.endsWith("backendRef") ? field : field + "[" + i + "]",
                        r.invalidReason());
            }
            out.add(new ExtAuthSpec.Backend(r.cluster(), ref.get("weight") instanceof Number w ? w.intValue() : 1,
                    r.invalidReason()));
        }
        java.time.Duration timeout = e.get("timeout") instanceof String t ? DurationFormat.parse(t) : null;
        return new ExtAuthSpec("SecurityPolicy " + self, out, http.get("path") instanceof String p && !p.isEmpty() ? p : null,
                http.get("pathOverride") instanceof String p && !p.isEmpty() ? p : null,
                lowerCase(strings(e.get("headersToExtAuth"))), lowerCase(strings(http.get("headersToBackend"))), false,
                timeout == null ? ExtAuthSpec.DEFAULT_TIMEOUT : timeout, Boolean.TRUE.equals(e.get("failOpen")),
                e.get("statusOnError") instanceof Number n ? n.intValue() : ExtAuthSpec.DEFAULT_STATUS_ON_ERROR);
    }

    private static List<String> lowerCase(List<String> names) {
        return names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
    }

    /** EG's cors as the HTTPRoute CORS filter's spec (the same fields); maxAge unset: that filter's default. */
    private static FilterSpec.CorsSpec cors(Map<?, ?> c) {
        if (c == null) {
            return null;
        }
        java.time.Duration maxAge = c.get("maxAge") instanceof String s ? DurationFormat.parse(s) : null;
        return new FilterSpec.CorsSpec(strings(c.get("allowOrigins")), Boolean.TRUE.equals(c.get("allowCredentials")),
                strings(c.get("allowMethods")), strings(c.get("allowHeaders")), strings(c.get("exposeHeaders")),
                maxAge == null ? FilterTranslator.DEFAULT_CORS_MAX_AGE : (int) Math.min(Integer.MAX_VALUE, maxAge.toSeconds()));
    }

    private SecurityPolicySpec.ApiKeyAuthSpec apiKeyAuth(Map<?, ?> a, GenericKubernetesResource policy,
                                                         Problems problems) {
        if (a == null) {
            return null;
        }
        List<SecurityPolicySpec.ApiKey> keys = new ArrayList<>();
        Set<String> clients = new HashSet<>();
        Set<String> digests = new HashSet<>();
        for (Object ref : (List<?>) a.get("credentialRefs")) {
            Secret secret = secret((Map<?, ?>) ref, policy, API_KEYS, problems);
            if (secret == null) {
                continue;
            }
            // EG: each data key is a client id, its value the key; the first Secret naming a client wins
            for (Map.Entry<String, String> e : SecretValues.all(secret).entrySet()) {
                if (e.getValue() == null || e.getValue().isEmpty()) {
                    problems.add(API_KEYS, "Secret " + ResourceIndex.qualifiedName(secret) + ": client " + e.getKey()
                            + " has an empty API key");
                } else if (clients.add(e.getKey())) {
                    byte[] digest = sha256(e.getValue());
                    if (!digests.add(Base64.getEncoder().encodeToString(digest))) {
                        problems.add(API_KEYS, "Secret " + ResourceIndex.qualifiedName(secret) + ": duplicated API key (client "
                                + e.getKey() + ")");
                    }
                    keys.add(new SecurityPolicySpec.ApiKey(e.getKey(), digest));
                }
            }
        }
        List<SecurityPolicySpec.Extract> extract = new ArrayList<>();
        for (Object o : (List<?>) a.get("extractFrom")) {
            Map<?, ?> m = (Map<?, ?>) o;
            SecurityPolicySpec.Source source = m.get("headers") != null ? SecurityPolicySpec.Source.HEADER
                    : m.get("params") != null ? SecurityPolicySpec.Source.PARAM : SecurityPolicySpec.Source.COOKIE;
            List<?> names = (List<?>) m.get(switch (source) {
                case HEADER -> "headers";
                case PARAM -> "params";
                case COOKIE -> "cookies";
            });
            extract.add(new SecurityPolicySpec.Extract(source, names.stream()
                    .map(n -> source == SecurityPolicySpec.Source.HEADER ? String.valueOf(n).toLowerCase(Locale.ROOT)
                            : String.valueOf(n)).toList()));
        }
        return new SecurityPolicySpec.ApiKeyAuthSpec(keys, extract, header(a, "forwardClientIDHeader"),
                Boolean.TRUE.equals(a.get("sanitize")));
    }

    private SecurityPolicySpec.BasicAuthSpec basicAuth(Map<?, ?> b, GenericKubernetesResource policy,
                                                       Problems problems) {
        if (b == null) {
            return null;
        }
        List<SecurityPolicySpec.HtpasswdUser> users = new ArrayList<>();
        Secret secret = secret((Map<?, ?>) b.get("users"), policy, USERS, problems);
        if (secret != null) {
            String where = "Secret " + ResourceIndex.qualifiedName(secret);
            String htpasswd = SecretValues.all(secret).get(HTPASSWD_KEY);
            if (htpasswd == null || htpasswd.isBlank()) {
                problems.add(USERS, where + " has no " + HTPASSWD_KEY + " key");
            } else {
                users.addAll(htpasswd(htpasswd, where, problems));
            }
        }
        return new SecurityPolicySpec.BasicAuthSpec(users, header(b, "forwardUsernameHeader"));
    }

    /**
     * One {@code user:hash} per line (CRLF normalised, blank lines skipped). Hashes: {@code {SHA}} (EG's only one),
     * and, beyond EG, {@code {SSHA}} and bcrypt. A plain-text password (or MD5/crypt) is refused: it names the line
     * and user, never the value.
     */
    static List<SecurityPolicySpec.HtpasswdUser> htpasswd(String text, String where, Problems problems) {
        List<SecurityPolicySpec.HtpasswdUser> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String[] lines = text.replace("\r\n", "\n").split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            String at = where + " " + HTPASSWD_KEY + " line " + (i + 1);
            if (colon <= 0) {
                problems.add(USERS, at + ": expected user:hash");
                continue;
            }
            String user = line.substring(0, colon);
            String hash = line.substring(colon + 1);
            String problem = hashProblem(hash);
            if (problem != null) {
                problems.add(USERS, at + " (user " + user + "): " + problem);
            } else if (!seen.add(user)) {
                problems.add(USERS, at + ": user " + user + " appears twice");
            } else {
                out.add(new SecurityPolicySpec.HtpasswdUser(user, hash));
            }
        }
        return out;
    }

    private static String hashProblem(String hash) {
        try {
            if (hash.startsWith("{SHA}")) {
                return Base64.getDecoder().decode(hash.substring(5)).length == 20 ? null
                        : "a {SHA} hash is the base64 of 20 bytes";
            }
            if (hash.startsWith("{SSHA}")) {
                return Base64.getDecoder().decode(hash.substring(6)).length > 20 ? null
                        : "an {SSHA} hash is the base64 of a 20-byte SHA-1 digest followed by the salt";
            }
        } catch (IllegalArgumentException e) {
            return "the hash is not valid base64";
        }
        if (hash.startsWith("$2")) {
            return BCRYPT.matcher(hash).matches() ? null : "not a bcrypt hash ($2a$, $2b$ or $2y$, cost, 53 characters)";
        }
        return "unsupported htpasswd format: use {SHA}, {SSHA} or bcrypt ($2y$, htpasswd -B); plain-text, MD5 and"
                + " crypt passwords are refused";
    }

    private Secret secret(Map<?, ?> ref, GenericKubernetesResource policy, String field, Problems problems) {
        String policyNs = ResourceIndex.namespace(policy);
        String ns = ref.get("namespace") instanceof String s && !s.isEmpty() ? s : policyNs;
        String name = String.valueOf(ref.get("name"));
        if (!grants.permits(GROUP, KIND, policyNs, "Secret", ns, name)) {
            problems.add(field, "Secret " + ns + "/" + name + " is not permitted by any ReferenceGrant");
            return null;
        }
        Secret secret = index.secrets.get(ResourceIndex.key(ns, name));
        if (secret == null) {
            problems.add(field, "Secret " + ns + "/" + name + " does not exist");
        }
        return secret;
    }

    private static SecurityPolicySpec.AuthorizationSpec authorization(Map<?, ?> a) {
        if (a == null) {
            return null;
        }
        List<SecurityPolicySpec.AuthorizationRule> rules = new ArrayList<>();
        List<?> list = a.get("rules") instanceof List<?> l ? l : List.of();
        for (int i = 0; i < list.size(); i++) {
            Map<?, ?> r = (Map<?, ?>) list.get(i);
            Map<?, ?> p = map(r, "principal");
            Map<?, ?> op = map(r, "operation");
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (Object h : p.get("headers") instanceof List<?> hl ? hl : List.of()) {
                Map<?, ?> hm = (Map<?, ?>) h;
                headers.put(String.valueOf(hm.get("name")).toLowerCase(Locale.ROOT), strings(hm.get("values")));
            }
            Map<?, ?> path = present(op, "path");
            rules.add(new SecurityPolicySpec.AuthorizationRule(r.get("name") instanceof String n ? n : "rule-" + i,
                    action(r.get("action")), strings(p.get("clientCIDRs")).stream().map(Cidr::canonical).toList(),
                    headers, strings(p.get("consumers")), strings(p.get("consumerGroups")),
                    strings(op.get("methods")), path == null ? null : new SecurityPolicySpec.PathSpec(
                            switch (path.get("type") instanceof String t ? t : "PathPrefix") {
                                case "Exact" -> SecurityPolicySpec.PathType.EXACT;
                                case "RegularExpression" -> SecurityPolicySpec.PathType.REGULAR_EXPRESSION;
                                default -> SecurityPolicySpec.PathType.PATH_PREFIX;
                            }, path.get("value") instanceof String v ? v : "/", Boolean.TRUE.equals(path.get("invert"))),
                    jwtPrincipal(present(p, "jwt"))));
        }
        // EG: neither rules nor defaultAction denies everyone; defaultAction defaults to Deny
        return new SecurityPolicySpec.AuthorizationSpec(a.get("defaultAction") == null ? SecurityPolicySpec.Action.DENY
                : action(a.get("defaultAction")), rules);
    }

    private static dev.gatehouse.ir.JwtSpec.Principal jwtPrincipal(Map<?, ?> j) {
        if (j == null) {
            return null;
        }
        List<dev.gatehouse.ir.JwtSpec.ClaimMatch> claims = new ArrayList<>();
        for (Object o : j.get("claims") instanceof List<?> l ? l : List.of()) {
            Map<?, ?> c = (Map<?, ?>) o;
            claims.add(new dev.gatehouse.ir.JwtSpec.ClaimMatch(String.valueOf(c.get("name")),
                    "StringArray".equals(c.get("valueType")), strings(c.get("values"))));
        }
        return new dev.gatehouse.ir.JwtSpec.Principal(String.valueOf(j.get("provider")), claims,
                strings(j.get("scopes")));
    }

    private static SecurityPolicySpec.Action action(Object value) {
        return "Allow".equals(value) ? SecurityPolicySpec.Action.ALLOW : SecurityPolicySpec.Action.DENY;
    }

    private static List<String> strings(Object value) {
        return value instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
    }

    private static String header(Map<?, ?> m, String key) {
        return m.get(key) instanceof String s && !s.isEmpty() ? s.toLowerCase(Locale.ROOT) : null;
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    private static Map<?, ?> present(Map<?, ?> parent, String key) {
        return parent.get(key) instanceof Map<?, ?> m ? m : null;
    }

    private static Map<?, ?> map(Map<?, ?> parent, String key) {
        return parent.get(key) instanceof Map<?, ?> m ? m : Map.of();
    }

}
