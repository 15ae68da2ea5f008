package dev.gatehouse.translate;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a {@code SecurityPolicy}'s spec as Envoy Gateway v1.9's schema and CEL rules would, field by field, plus
 * gatehouse's additions ({@code consumers}; {@code consumers} and {@code consumerGroups} in an authorization
 * principal; {@code consumers.jwtClaim}; {@code oidc.cookieSecret}). EG fields gatehouse does not serve yet
 * ({@code csrf}, extAuth's gRPC service, CEL and geo-location principals, jwt {@code recomputeRoute} and remote JWKS
 * backends) are rejected by name: a policy that asks for CSRF protection must not look as
 * if it got it, and its routes fail closed.
 */
final class SecurityPolicyValidator extends PolicyValidation {
    /** TCPRoute is EG's (authorization by clientCIDRs only): refused until the L4 path enforces it. */
    static final Set<String> TARGET_KINDS = Set.of("Gateway", ListenerState.LISTENER_SET, GatewayTranslator.HTTP_ROUTE,
            GrpcRouteTranslator.GRPC_ROUTE, L4Route.TCP_ROUTE);
    private static final Set<String> SPEC_FIELDS = Set.of("targetRef", "targetRefs", "targetSelectors", "apiKeyAuth",
            "basicAuth", "authorization", "consumers", "cors", "extAuth", "oidc", "jwt");
    private static final Set<String> SPEC_NOT_YET = Set.of("mergeType", "csrf");
    private static final Set<String> BACKEND_REF_FIELDS = Set.of("group", "kind", "name", "namespace", "port", "weight");
    /** EG's Origin pattern; RE2, as its nested repetition would backtrack in java.util.regex. */
    private static final com.google.re2j.Pattern ORIGIN = com.google.re2j.Pattern.compile(
            "^(\\*|[A-Za-z][A-Za-z0-9+.-]*:\\/\\/(\\*|(\\*\\.)?(([\\w-]+\\.?)+)?[\\w-]+)(:\\d{1,5})?)$");
    private static final Set<String> SECRET_REF_FIELDS = Set.of("group", "kind", "name", "namespace");
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
            "TRACE", "PATCH");
    private static final Set<String> ACTIONS = Set.of("Allow", "Deny");
    /** A Kubernetes qualified name without its prefix, as EG requires of a provider's name. */
    private static final Pattern QUALIFIED_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Set<String> OIDC_FIELDS = Set.of("provider", "clientID", "clientIDRef", "clientSecret",
            "cookieSecret", "scopes", "resources", "redirectURL", "logoutPath", "cookieNames", "cookieConfig",
            "cookieDomain", "forwardAccessToken", "forwardIDToken", "refreshToken", "defaultTokenTTL",
            "defaultRefreshTokenTTL", "csrfTokenTTL", "disableTokenEncryption", "passThroughAuthHeader", "denyRedirect");
    private static final Pattern DNS_NAME = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private SecurityPolicyValidator(GenericKubernetesResource policy, ResourceSet.Entry origin) {
        super(SecurityPolicyTranslator.KIND, TARGET_KINDS, policy, origin);
    }

    /** Every problem of the policy; none means it can be translated (its Secrets are checked then). */
    static List<Diagnostic> validate(GenericKubernetesResource policy, ResourceSet.Entry origin) {
        SecurityPolicyValidator v = new SecurityPolicyValidator(policy, origin);
        v.check();
        return v.findings();
    }

    private void check() {
        Map<?, ?> spec = spec();
        if (spec == null) {
            return;
        }
        fields(spec, SPEC_FIELDS, SPEC_NOT_YET, "spec");
        targets(spec);
        tcpRoutes(spec);
        apiKeyAuth(map(spec.get("apiKeyAuth"), "spec.apiKeyAuth"));
        basicAuth(map(spec.get("basicAuth"), "spec.basicAuth"));
        authorization(map(spec.get("authorization"), "spec.authorization"));
        consumers(map(spec.get("consumers"), "spec.consumers"));
        cors(map(spec.get("cors"), "spec.cors"));
        extAuth(map(spec.get("extAuth"), "spec.extAuth"));
        oidc(map(spec.get("oidc"), "spec.oidc"), spec);
        Set<String> providers = jwt(map(spec.get("jwt"), "spec.jwt"));
        jwtPrincipals(spec, providers);
        if (spec.get("consumers") instanceof Map<?, ?> c && c.get("jwtClaim") != null && spec.get("jwt") == null) {
            error("spec.consumers.jwtClaim", "needs spec.jwt: the consumer is a claim of the verified token");
        }
    }

    /** EG's jwt; returns the providers' names (empty when absent). */
    private Set<String> jwt(Map<?, ?> j) {
        Set<String> names = new java.util.LinkedHashSet<>();
        if (j == null) {
            return names;
        }
        String at = "spec.jwt";
        fields(j, Set.of("optional", "failOpen", "providers"), Set.of(), at);
        bool(j, "optional", at);
        bool(j, "failOpen", at);
        if (Boolean.TRUE.equals(j.get("optional")) && Boolean.TRUE.equals(j.get("failOpen"))) {
            error(at, "optional and failOpen cannot both be set; failOpen already tolerates a missing JWT");
        }
        List<?> providers = list(j, "providers", at);
        if (providers == null || providers.isEmpty() || providers.size() > 16) {
            error(at + ".providers", "required: 1 to 16 providers");
        }
        for (int i = 0; providers != null && i < providers.size(); i++) {
            String it = at + ".providers[" + i + "]";
            Map<?, ?> p = map(providers.get(i), it);
            if (p == null) {
                continue;
            }
            fields(p, Set.of("name", "issuer", "audiences", "remoteJWKS", "localJWKS", "claimToHeaders",
                    "extractFrom"), Set.of("recomputeRoute"), it);
            String name = string(p, "name", it, true);
            if (name != null && (name.length() > 253 || !QUALIFIED_NAME.matcher(name).matches())) {
                error(it + ".name", "must be a qualified name (letters, digits, '-', '_', '.'; at most 253)");
            } else if (name != null && !names.add(name)) {
                error(it + ".name", "provider " + name + " appears twice");
            }
            String issuer = string(p, "issuer", it, false);
            if (issuer != null && issuer.length() > 253) {
                error(it + ".issuer", "must be at most 253 characters");
            }
            List<?> audiences = list(p, "audiences", it);
            if (audiences != null && audiences.size() > 8) {
                error(it + ".audiences", "must hold at most 8 audiences");
            }
            if (audiences != null && !audiences.isEmpty()) {
                nonEmptyStrings(audiences, it + ".audiences");
            }
            if ((p.get("remoteJWKS") == null) == (p.get("localJWKS") == null)) {
                error(it, "exactly one of remoteJWKS or localJWKS must be set");
            }
            remoteJwks(map(p.get("remoteJWKS"), it + ".remoteJWKS"), it + ".remoteJWKS");
            localJwks(map(p.get("localJWKS"), it + ".localJWKS"), it + ".localJWKS");
            List<?> claims = list(p, "claimToHeaders", it);
            for (int c = 0; claims != null && c < claims.size(); c++) {
                String cat = it + ".claimToHeaders[" + c + "]";
                Map<?, ?> m = map(claims.get(c), cat);
                if (m != null) {
                    fields(m, Set.of("header", "claim"), Set.of(), cat);
                    string(m, "header", cat, true);
                    headerName(m, "header", cat);
                    string(m, "claim", cat, true);
                }
            }
            extractFrom(map(p.get("extractFrom"), it + ".extractFrom"), it + ".extractFrom");
        }
        return names;
    }

    private void remoteJwks(Map<?, ?> r, String at) {
        if (r == null) {
            return;
        }
        fields(r, Set.of("uri", "cacheDuration", "failedRefetchDuration"),
                Set.of("backendRef", "backendRefs", "backendSettings"), at);
        String uri = string(r, "uri", at, true);
        if (uri != null) {
            java.net.URI u = null;
            try {
                u = new java.net.URI(uri);
            } catch (java.net.URISyntaxException e) {
                // reported below
            }
            if (uri.isEmpty() || uri.length() > 253 || u == null || u.getHost() == null
                    || !("https".equals(u.getScheme()) || "http".equals(u.getScheme()))) {
                error(at + ".uri", "must be an https (or http) URI of at most 253 characters");
            }
        }
        duration(r, "cacheDuration", at, false);
        duration(r, "failedRefetchDuration", at, false);
    }

    private void localJwks(Map<?, ?> l, String at) {
        if (l == null) {
            return;
        }
        fields(l, Set.of("type", "inline", "valueRef"), Set.of(), at);
        oneOf(l, "type", at, Set.of("Inline", "ValueRef"), false);
        boolean valueRef = "ValueRef".equals(l.get("type"));
        if (valueRef ? l.get("valueRef") == null || l.get("inline") != null
                : l.get("inline") == null || l.get("valueRef") != null) {
            error(at, "Exactly one of inline or valueRef must be set with correct type.");
        }
        string(l, "inline", at, false);
        Map<?, ?> ref = map(l.get("valueRef"), at + ".valueRef");
        if (ref != null) {
            fields(ref, Set.of("group", "kind", "name"), Set.of(), at + ".valueRef");
            string(ref, "name", at + ".valueRef", true);
            if (!"".equals(ref.get("group"))) {
                error(at + ".valueRef.group", "required: \"\" (the core group)");
            }
            if (!"ConfigMap".equals(ref.get("kind"))) {
                error(at + ".valueRef.kind", "required: ConfigMap");
            }
        }
    }

    private void extractFrom(Map<?, ?> e, String at) {
        if (e == null) {
            return;
        }
        fields(e, Set.of("headers", "cookies", "params"), Set.of(), at);
        List<?> headers = list(e, "headers", at);
        for (int i = 0; headers != null && i < headers.size(); i++) {
            String it = at + ".headers[" + i + "]";
            Map<?, ?> h = map(headers.get(i), it);
            if (h != null) {
                fields(h, Set.of("name", "valuePrefix"), Set.of(), it);
                string(h, "name", it, true);
                headerName(h, "name", it);
                string(h, "valuePrefix", it, false);
            }
        }
        for (String key : List.of("cookies", "params")) {
            List<?> names = list(e, key, at);
            if (names != null) {
                nonEmptyStrings(names, at + "." + key);
            }
        }
    }

    /**
     * EG's extAuth with its CEL rules. The HTTP service is served; the envoy.service.auth.v3 gRPC one is refused by
     * name (gatehouse speaks no gRPC to backends of its own), as are the body and the gRPC-only knobs.
     */
    private void extAuth(Map<?, ?> e) {
        if (e == null) {
            return;
        }
        String at = "spec.extAuth";
        fields(e, Set.of("http", "grpc", "headersToExtAuth", "timeout", "failOpen", "statusOnError"),
                Set.of("bodyToExtAuth", "recomputeRoute", "includeRouteMetadata", "contextExtensions"), at);
        if (e.get("grpc") != null) {
            error(at + ".grpc", "the gRPC ext-auth protocol (envoy.service.auth.v3) is not supported by gatehouse:"
                    + " use an HTTP ext-auth service (extAuth.http)");
        } else if (e.get("http") == null) {
            error(at, "one of grpc or http must be specified");
        }
        Map<?, ?> http = map(e.get("http"), at + ".http");
        if (http != null) {
            String h = at + ".http";
            fields(http, Set.of("backendRef", "backendRefs", "path", "pathOverride", "headersToBackend"),
                    Set.of("backendSettings"), h);
            List<?> refs = list(http, "backendRefs", h);
            if ((refs == null || refs.isEmpty()) && http.get("backendRef") == null) {
                error(h, "backendRef or backendRefs needs to be set");
            }
            for (int i = 0; refs != null && i < refs.size(); i++) {
                backendRef(refs.get(i), h + ".backendRefs[" + i + "]");
            }
            if (http.get("backendRef") != null) {
                backendRef(http.get("backendRef"), h + ".backendRef");
            }
            if (http.get("path") != null && http.get("pathOverride") != null) {
                error(h, "only one of path or pathOverride can be specified");
            }
            for (String key : List.of("path", "pathOverride")) {
                String path = string(http, key, h, false);
                if (path != null && !path.startsWith("/")) {
                    error(h + "." + key, "must start with /");
                }
            }
            headerNames(http, "headersToBackend", h);
        }
        headerNames(e, "headersToExtAuth", at);
        duration(e, "timeout", at, false);
        bool(e, "failOpen", at);
        integer(e, "statusOnError", at, 400, 599);
    }

    private void backendRef(Object value, String at) {
        Map<?, ?> ref = map(value, at);
        if (ref == null) {
            return;
        }
        fields(ref, BACKEND_REF_FIELDS, Set.of("fallback"), at);
        string(ref, "name", at, true);
        string(ref, "namespace", at, false);
        Long port = integer(ref, "port", at, 1, 65535);
        integer(ref, "weight", at, 0, 1_000_000);
        boolean service = (ref.get("group") == null || "".equals(ref.get("group")))
                && (ref.get("kind") == null || "Service".equals(ref.get("kind")));
        if (service && port == null) {
            error(at + ".port", "Must have port for Service reference");
        }
    }

    private void headerNames(Map<?, ?> parent, String key, String at) {
        List<?> names = list(parent, key, at);
        for (int i = 0; names != null && i < names.size(); i++) {
            if (!(names.get(i) instanceof String n) || !HEADER_NAME.matcher(n).matches()) {
                error(at + "." + key + "[" + i + "]", "\"" + names.get(i) + "\" is not an HTTP header name");
            }
        }
    }

    /** principal.jwt: EG's CEL (jwt must be defined) and its translator (the provider must be one of the policy's). */
    private void jwtPrincipals(Map<?, ?> spec, Set<String> providers) {
        List<?> rules = spec.get("authorization") instanceof Map<?, ?> a && a.get("rules") instanceof List<?> l ? l
                : List.of();
        for (int i = 0; i < rules.size(); i++) {
            String at = "spec.authorization.rules[" + i + "].principal.jwt";
            if (!(rules.get(i) instanceof Map<?, ?> r && r.get("principal") instanceof Map<?, ?> p)
                    || p.get("jwt") == null) {
                continue;
            }
            Map<?, ?> j = map(p.get("jwt"), at);
            if (j == null) {
                continue;
            }
            if (spec.get("jwt") == null) {
                error(at, "if authorization.rules.principal.jwt is used, jwt must be defined");
            }
            fields(j, Set.of("provider", "claims", "scopes"), Set.of(), at);
            String provider = string(j, "provider", at, true);
            if (provider != null && spec.get("jwt") != null && !providers.contains(provider)) {
                error(at + ".provider", "no provider " + provider + " in spec.jwt.providers");
            }
            if (j.get("claims") == null && j.get("scopes") == null) {
                error(at, "at least one of claims or scopes must be specified");
            }
            List<?> claims = list(j, "claims", at);
            if (claims != null && (claims.isEmpty() || claims.size() > 16)) {
                error(at + ".claims", "must hold 1 to 16 claims");
            }
            for (int c = 0; claims != null && c < claims.size(); c++) {
                String cat = at + ".claims[" + c + "]";
                Map<?, ?> m = map(claims.get(c), cat);
                if (m == null) {
                    continue;
                }
                fields(m, Set.of("name", "valueType", "values"), Set.of(), cat);
                string(m, "name", cat, true);
                oneOf(m, "valueType", cat, Set.of("String", "StringArray"), false);
                List<?> values = list(m, "values", cat);
                if (values == null || values.isEmpty() || values.size() > 128) {
                    error(cat + ".values", "required: 1 to 128 values");
                } else {
                    nonEmptyStrings(values, cat + ".values");
                }
            }
            List<?> scopes = list(j, "scopes", at);
            if (scopes != null && scopes.size() > 16) {
                error(at + ".scopes", "must hold at most 16 scopes");
            }
            if (scopes != null) {
                nonEmptyStrings(scopes, at + ".scopes");
            }
        }
    }

    /** EG's oidc with its CEL rules, plus gatehouse.dev's {@code cookieSecret}. */
    private void oidc(Map<?, ?> o, Map<?, ?> spec) {
        if (o == null) {
            return;
        }
        String at = "spec.oidc";
        fields(o, OIDC_FIELDS, Set.of(), at);
        Map<?, ?> provider = map(o.get("provider"), at + ".provider");
        if (provider == null) {
            error(at + ".provider", "required field is missing");
        } else {
            fields(provider, Set.of("issuer", "authorizationEndpoint", "tokenEndpoint", "endSessionEndpoint"),
                    Set.of("backendRef", "backendRefs", "backendSettings"), at + ".provider");
            String issuer = string(provider, "issuer", at + ".provider", true);
            if (issuer != null && !httpUrl(issuer)) {
                error(at + ".provider.issuer", "must be an http(s) URL such as https://idp.example.com/realms/main");
            }
            for (String key : List.of("authorizationEndpoint", "tokenEndpoint", "endSessionEndpoint")) {
                String url = string(provider, key, at + ".provider", false);
                if (url != null && !httpUrl(url)) {
                    error(at + ".provider." + key, "must be an http(s) URL");
                }
            }
        }
        if ((o.get("clientID") == null) == (o.get("clientIDRef") == null)) {
            error(at, "only one of clientID or clientIDRef must be set");
        }
        String clientId = string(o, "clientID", at, false);
        if (clientId != null && clientId.isEmpty()) {
            error(at + ".clientID", "must not be empty");
        }
        if (o.get("clientIDRef") != null) {
            secretRef(o.get("clientIDRef"), at + ".clientIDRef");
        }
        if (o.get("clientSecret") == null) {
            error(at + ".clientSecret", "required field is missing");
        } else {
            secretRef(o.get("clientSecret"), at + ".clientSecret");
        }
        if (o.get("cookieSecret") != null) {
            secretRef(o.get("cookieSecret"), at + ".cookieSecret");
        }
        for (String key : List.of("scopes", "resources")) {
            List<?> values = list(o, key, at);
            if (values != null) {
                nonEmptyStrings(values, at + "." + key);
            }
        }
        String redirect = string(o, "redirectURL", at, false);
        if (redirect != null && !httpUrl(redirect)) {
            error(at + ".redirectURL", "must be an absolute http(s) URL such as https://www.example.com/oauth2/callback"
                    + " (EG's %REQ(...)% templates are not supported: leave it out for the request's scheme and host)");
        }
        String logout = string(o, "logoutPath", at, false);
        if (logout != null && !logout.startsWith("/")) {
            error(at + ".logoutPath", "must be a path starting with /");
        }
        Map<?, ?> names = map(o.get("cookieNames"), at + ".cookieNames");
        if (names != null) {
            fields(names, Set.of("accessToken", "idToken"), Set.of(), at + ".cookieNames");
            for (String key : List.of("accessToken", "idToken")) {
                String name = string(names, key, at + ".cookieNames", false);
                if (name != null && !HEADER_NAME.matcher(name).matches()) {
                    error(at + ".cookieNames." + key, "\"" + name + "\" is not a cookie name");
                }
            }
        }
        Map<?, ?> cookieConfig = map(o.get("cookieConfig"), at + ".cookieConfig");
        if (cookieConfig != null) {
            fields(cookieConfig, Set.of("sameSite"), Set.of(), at + ".cookieConfig");
            oneOf(cookieConfig, "sameSite", at + ".cookieConfig", Set.of("Lax", "Strict", "None"), false);
        }
        String domain = string(o, "cookieDomain", at, false);
        if (domain != null && !DNS_NAME.matcher(domain).matches()) {
            error(at + ".cookieDomain", "must be a DNS name such as example.com");
        }
        for (String key : List.of("forwardAccessToken", "refreshToken", "passThroughAuthHeader")) {
            bool(o, key, at);
        }
        if (Boolean.TRUE.equals(o.get("disableTokenEncryption"))) {
            error(at + ".disableTokenEncryption", "not supported by gatehouse: its session cookies are always encrypted");
        } else {
            bool(o, "disableTokenEncryption", at);
        }
        for (String key : List.of("defaultTokenTTL", "defaultRefreshTokenTTL", "csrfTokenTTL")) {
            duration(o, key, at, false);
        }
        Map<?, ?> forwardId = map(o.get("forwardIDToken"), at + ".forwardIDToken");
        if (forwardId != null) {
            fields(forwardId, Set.of("header"), Set.of(), at + ".forwardIDToken");
            headerName(forwardId, "header", at + ".forwardIDToken");
            String header = string(forwardId, "header", at + ".forwardIDToken", true);
            if ("host".equalsIgnoreCase(header)) {
                error(at + ".forwardIDToken.header", "must not be Host");
            }
            if ("authorization".equalsIgnoreCase(header) && Boolean.TRUE.equals(o.get("forwardAccessToken"))) {
                error(at, "forwardAccessToken cannot be true when forwardIDToken.header is Authorization");
            }
        }
        if (Boolean.TRUE.equals(o.get("passThroughAuthHeader")) && spec.get("jwt") == null) {
            error(at + ".passThroughAuthHeader", "the OIDC.PassThroughAuthHeader setting must be used in conjunction"
                    + " with JWT settings");
        }
        Map<?, ?> deny = map(o.get("denyRedirect"), at + ".denyRedirect");
        if (deny != null) {
            fields(deny, Set.of("headers"), Set.of(), at + ".denyRedirect");
            List<?> headers = list(deny, "headers", at + ".denyRedirect");
            if (headers == null || headers.isEmpty() || headers.size() > 16) {
                error(at + ".denyRedirect.headers", "required: 1 to 16 header matches");
            }
            for (int i = 0; headers != null && i < headers.size(); i++) {
                String it = at + ".denyRedirect.headers[" + i + "]";
                Map<?, ?> h = map(headers.get(i), it);
                if (h == null) {
                    continue;
                }
                fields(h, Set.of("name", "type", "value"), Set.of(), it);
                String name = string(h, "name", it, true);
                if (name != null && name.isEmpty()) {
                    error(it + ".name", "must not be empty");
                }
                oneOf(h, "type", it, Set.of("Exact", "Prefix", "Suffix", "RegularExpression"), false);
                String value = string(h, "value", it, true);
                if (value != null && (value.isEmpty() || value.length() > 1024)) {
                    error(it + ".value", "must be 1 to 1024 characters");
                } else if (value != null && "RegularExpression".equals(h.get("type"))) {
                    try {
                        com.google.re2j.Pattern.compile(value);
                    } catch (com.google.re2j.PatternSyntaxException e) {
                        error(it + ".value", "not an RE2 regular expression: " + e.getDescription());
                    }
                }
            }
        }
    }

    private static boolean httpUrl(String value) {
        try {
            java.net.URI u = new java.net.URI(value);
            return ("https".equals(u.getScheme()) || "http".equals(u.getScheme())) && u.getHost() != null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    private void cors(Map<?, ?> c) {
        if (c == null) {
            return;
        }
        String at = "spec.cors";
        fields(c, Set.of("allowOrigins", "allowMethods", "allowHeaders", "exposeHeaders", "maxAge", "allowCredentials"),
                Set.of(), at);
        List<?> origins = list(c, "allowOrigins", at);
        for (int i = 0; origins != null && i < origins.size(); i++) {
            if (!(origins.get(i) instanceof String o) || o.length() > 253 || !ORIGIN.matcher(o).matches()) {
                error(at + ".allowOrigins[" + i + "]", "must be \"*\" or an origin such as https://foo.example.com or"
                        + " https://*.example.com (a plain string, not {exact: ...})");
            }
        }
        for (String key : List.of("allowMethods", "allowHeaders", "exposeHeaders")) {
            List<?> values = list(c, key, at);
            if (values != null) {
                nonEmptyStrings(values, at + "." + key);
            }
        }
        duration(c, "maxAge", at, false);
        bool(c, "allowCredentials", at);
    }

    private void tcpRoutes(Map<?, ?> spec) {
        List<?> refs = spec.get("targetRefs") instanceof List<?> l ? l : List.of();
        for (int i = 0; i < refs.size(); i++) {
            if (refs.get(i) instanceof Map<?, ?> ref && L4Route.TCP_ROUTE.equals(ref.get("kind"))) {
                error("spec.targetRefs[" + i + "].kind", "a SecurityPolicy on a TCPRoute is not supported yet by gatehouse");
            }
        }
    }

    private void apiKeyAuth(Map<?, ?> a) {
        if (a == null) {
            return;
        }
        String at = "spec.apiKeyAuth";
        fields(a, Set.of("credentialRefs", "extractFrom", "forwardClientIDHeader", "sanitize"), Set.of(), at);
        List<?> refs = list(a, "credentialRefs", at);
        if (refs == null) {
            error(at + ".credentialRefs", "required field is missing");
        }
        for (int i = 0; refs != null && i < refs.size(); i++) {
            secretRef(refs.get(i), at + ".credentialRefs[" + i + "]");
        }
        List<?> from = list(a, "extractFrom", at);
        if (from == null || from.isEmpty()) {
            error(at + ".extractFrom", "required: at least one of headers, params or cookies");
        }
        for (int i = 0; from != null && i < from.size(); i++) {
            String it = at + ".extractFrom[" + i + "]";
            Map<?, ?> m = map(from.get(i), it);
            if (m == null) {
                continue;
            }
            fields(m, Set.of("headers", "params", "cookies"), Set.of(), it);
            int present = 0;
            for (String key : List.of("headers", "params", "cookies")) {
                List<?> names = list(m, key, it);
                if (names != null) {
                    present++;
                    nonEmptyStrings(names, it + "." + key);
                }
            }
            if (present != 1) {
                error(it, "exactly one of headers, params, or cookies must be specified");
            }
        }
        headerName(a, "forwardClientIDHeader", at);
        bool(a, "sanitize", at);
    }

    private void basicAuth(Map<?, ?> b) {
        if (b == null) {
            return;
        }
        String at = "spec.basicAuth";
        fields(b, Set.of("users", "forwardUsernameHeader"), Set.of(), at);
        if (b.get("users") == null) {
            error(at + ".users", "required field is missing");
        } else {
            secretRef(b.get("users"), at + ".users");
        }
        headerName(b, "forwardUsernameHeader", at);
    }

    private void secretRef(Object value, String at) {
        Map<?, ?> ref = map(value, at);
        if (ref == null) {
            return;
        }
        fields(ref, SECRET_REF_FIELDS, Set.of(), at);
        string(ref, "name", at, true);
        if (ref.get("group") != null && !"".equals(ref.get("group"))) {
            error(at + ".group", "must be \"\" (the core group): only Secrets hold credentials");
        }
        if (ref.get("kind") != null && !"Secret".equals(ref.get("kind"))) {
            error(at + ".kind", "must be Secret");
        }
        string(ref, "namespace", at, false);
    }

    private void authorization(Map<?, ?> a) {
        if (a == null) {
            return;
        }
        String at = "spec.authorization";
        fields(a, Set.of("defaultAction", "rules"), Set.of(), at);
        oneOf(a, "defaultAction", at, ACTIONS, false);
        List<?> rules = list(a, "rules", at);
        for (int i = 0; rules != null && i < rules.size(); i++) {
            String it = at + ".rules[" + i + "]";
            Map<?, ?> r = map(rules.get(i), it);
            if (r == null) {
                continue;
            }
            fields(r, Set.of("name", "action", "operation", "principal"), Set.of("cel"), it);
            String name = string(r, "name", it, false);
            if (name != null && (name.isEmpty() || name.length() > 253)) {
                error(it + ".name", "must be 1 to 253 characters");
            }
            oneOf(r, "action", it, ACTIONS, true);
            operation(map(r.get("operation"), it + ".operation"), it + ".operation");
            Map<?, ?> p = map(r.get("principal"), it + ".principal");
            if (p == null && r.get("cel") == null) {
                error(it, "at least one of principal or cel must be specified");
            }
            if (p != null) {
                principal(p, it + ".principal");
            }
        }
    }

    private void operation(Map<?, ?> o, String at) {
        if (o == null) {
            return;
        }
        fields(o, Set.of("methods", "path"), Set.of(), at);
        if (o.get("methods") == null && o.get("path") == null) {
            error(at, "at least one of methods or path must be specified");
        }
        List<?> methods = list(o, "methods", at);
        if (methods != null && (methods.isEmpty() || methods.size() > 16)) {
            error(at + ".methods", "must hold 1 to 16 methods");
        }
        for (int i = 0; methods != null && i < methods.size(); i++) {
            if (!METHODS.contains(String.valueOf(methods.get(i)))) {
                error(at + ".methods[" + i + "]", "must be one of " + String.join(", ", new java.util.TreeSet<>(METHODS)));
            }
        }
        Map<?, ?> path = map(o.get("path"), at + ".path");
        if (path != null) {
            fields(path, Set.of("type", "value", "invert"), Set.of(), at + ".path");
            oneOf(path, "type", at + ".path", Set.of("Exact", "PathPrefix", "RegularExpression"), false);
            String value = string(path, "value", at + ".path", false);
            if (value != null && value.length() > 1024) {
                error(at + ".path.value", "must be at most 1024 characters");
            }
            if (value != null && "RegularExpression".equals(path.get("type"))) {
                try {
                    com.google.re2j.Pattern.compile(value);
                } catch (com.google.re2j.PatternSyntaxException e) {
                    error(at + ".path.value", "not an RE2 regular expression: " + e.getDescription());
                }
            }
            bool(path, "invert", at + ".path");
        }
    }

    private void principal(Map<?, ?> p, String at) {
        fields(p, Set.of("clientCIDRs", "headers", "consumers", "consumerGroups", "jwt"),
                Set.of("clientIPGeoLocations"), at);
        if (p.isEmpty()) {
            error(at, "at least one of clientCIDRs, jwt, headers, or clientIPGeoLocations must be specified");
        }
        List<?> cidrs = list(p, "clientCIDRs", at);
        if (cidrs != null && cidrs.isEmpty()) {
            error(at + ".clientCIDRs", "must hold at least one CIDR");
        }
        for (int i = 0; cidrs != null && i < cidrs.size(); i++) {
            String problem = Cidr.problem(String.valueOf(cidrs.get(i)));
            if (problem != null) {
                error(at + ".clientCIDRs[" + i + "]", problem);
            }
        }
        List<?> headers = list(p, "headers", at);
        if (headers != null && (headers.isEmpty() || headers.size() > 256)) {
            error(at + ".headers", "must hold 1 to 256 headers");
        }
        for (int i = 0; headers != null && i < headers.size(); i++) {
            String it = at + ".headers[" + i + "]";
            Map<?, ?> h = map(headers.get(i), it);
            if (h != null) {
                fields(h, Set.of("name", "values"), Set.of(), it);
                headerName(h, "name", it);
                if (h.get("name") == null) {
                    error(it + ".name", "required field is missing");
                }
                List<?> values = list(h, "values", it);
                if (values == null || values.isEmpty()) {
                    error(it + ".values", "required: at least one value");
                } else {
                    nonEmptyStrings(values, it + ".values");
                }
            }
        }
        for (String key : List.of("consumers", "consumerGroups")) {
            List<?> names = list(p, key, at);
            if (names != null) {
                nonEmptyStrings(names, at + "." + key);
            }
        }
    }

    private void consumers(Map<?, ?> c) {
        if (c == null) {
            return;
        }
        String at = "spec.consumers";
        fields(c, Set.of("anonymous", "groups", "jwtClaim"), Set.of(), at);
        String claim = string(c, "jwtClaim", at, false);
        if (claim != null && claim.isEmpty()) {
            error(at + ".jwtClaim", "must not be empty");
        }
        String anonymous = string(c, "anonymous", at, false);
        if (anonymous != null && anonymous.isEmpty()) {
            error(at + ".anonymous", "must not be empty");
        }
        List<?> groups = list(c, "groups", at);
        for (int i = 0; groups != null && i < groups.size(); i++) {
            String it = at + ".groups[" + i + "]";
            Map<?, ?> g = map(groups.get(i), it);
            if (g != null) {
                fields(g, Set.of("name", "members"), Set.of(), it);
                string(g, "name", it, true);
                List<?> members = list(g, "members", it);
                if (members == null) {
                    error(it + ".members", "required field is missing");
                } else {
                    nonEmptyStrings(members, it + ".members");
                }
            }
        }
    }

    private void nonEmptyStrings(List<?> values, String at) {
        if (values.isEmpty()) {
            error(at, "must hold at least one item");
        }
        for (int i = 0; i < values.size(); i++) {
            if (!(values.get(i) instanceof String s) || s.isEmpty()) {
                error(at + "[" + i + "]", "must be a non-empty string");
            }
        }
    }

    private void headerName(Map<?, ?> parent, String key, String at) {
        String name = string(parent, key, at, false);
        if (name != null && !HEADER_NAME.matcher(name).matches()) {
            error(at + "." + key, "\"" + name + "\" is not an HTTP header name");
        }
    }
}
