package dev.gatehouse.translate;

import dev.gatehouse.translate.validate.DurationFormat;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a {@code BackendTrafficPolicy}'s spec as Envoy Gateway v1.9's schema and CEL rules would, field by field,
 * and rejects by name each EG field gatehouse does not implement yet: a policy that asks for fault injection must
 * not look as if it got it. Each finding names the file, the policy and the field.
 */
final class BackendTrafficPolicyValidator extends PolicyValidation {
    static final Set<String> TARGET_KINDS = Set.of("Gateway", ListenerState.LISTENER_SET, GatewayTranslator.HTTP_ROUTE,
            GrpcRouteTranslator.GRPC_ROUTE, L4Route.TCP_ROUTE, L4Route.UDP_ROUTE, L4Route.TLS_ROUTE);
    private static final String KIND = BackendTrafficPolicyTranslator.KIND;
    private static final Set<String> SPEC_FIELDS = Set.of("targetRef", "targetRefs", "targetSelectors", "loadBalancer",
            "healthCheck", "retry", "circuitBreaker", "timeout", "rateLimit");
    /** EG's fields we do not implement yet: rejected by name rather than reported as unknown. */
    private static final Set<String> SPEC_NOT_YET = Set.of("mergeType", "bandwidthLimit", "faultInjection",
            "admissionControl", "useClientProtocol", "compression", "compressor", "responseOverride", "httpUpgrade",
            "requestBuffer", "telemetry", "routingType", "proxyProtocol", "tcpKeepalive", "connection", "dns", "http2");
    private static final Set<String> LB_TYPES = Set.of("RoundRobin", "Random", "LeastRequest", "ConsistentHash");
    private static final Set<String> HASH_TYPES = Set.of("SourceIP", "Header", "Headers", "Cookie", "QueryParams");
    private static final Set<String> RETRY_TRIGGERS = Set.of("5xx", "gateway-error", "reset", "reset-before-request",
            "connect-failure", "retriable-4xx", "refused-stream", "retriable-status-codes", "cancelled",
            "deadline-exceeded", "internal", "resource-exhausted", "unavailable");
    private static final Pattern DNS_NAME = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final long UINT32 = 4294967295L;
    private static final Map<String, Long> RATE_UNITS = Map.of("Second", 1L, "Minute", 60L, "Hour", 3_600L,
            "Day", 86_400L, "Week", 604_800L, "Month", 2_592_000L, "Year", 31_536_000L);

    private BackendTrafficPolicyValidator(GenericKubernetesResource policy, ResourceSet.Entry origin) {
        super(KIND, TARGET_KINDS, policy, origin);
    }

    /** Every problem of the policy; none means it can be translated. */
    static List<Diagnostic> validate(GenericKubernetesResource policy, ResourceSet.Entry origin) {
        BackendTrafficPolicyValidator v = new BackendTrafficPolicyValidator(policy, origin);
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
        loadBalancer(spec.get("loadBalancer"));
        healthCheck(spec.get("healthCheck"));
        retry(spec.get("retry"));
        circuitBreaker(spec.get("circuitBreaker"));
        timeout(spec.get("timeout"));
        rateLimit(spec.get("rateLimit"));
    }

    private void loadBalancer(Object value) {
        String at = "spec.loadBalancer";
        Map<?, ?> lb = map(value, at);
        if (lb == null) {
            return;
        }
        fields(lb, Set.of("type", "consistentHash", "slowStart"),
                Set.of("zoneAware", "endpointOverride", "backendUtilization", "dynamicModule"), at);
        Object type = lb.get("type");
        if ("BackendUtilization".equals(type) || "DynamicModule".equals(type)) {
            error(at + ".type", type + " is not supported yet by gatehouse");
            return;
        }
        oneOf(lb, "type", at, LB_TYPES, true);
        if ("ConsistentHash".equals(type) != (lb.get("consistentHash") != null)) {
            error(at, "If LoadBalancer type is consistentHash, consistentHash field needs to be set.");
        }
        if (lb.get("slowStart") != null && !"RoundRobin".equals(type) && !"LeastRequest".equals(type)) {
            error(at + ".slowStart", "Currently SlowStart is only supported for RoundRobin and LeastRequest load balancers.");
        }
        Map<?, ?> slow = map(lb.get("slowStart"), at + ".slowStart");
        if (slow != null) {
            fields(slow, Set.of("window"), Set.of(), at + ".slowStart");
            duration(slow, "window", at + ".slowStart", true);
        }
        String hat = at + ".consistentHash";
        Map<?, ?> hash = map(lb.get("consistentHash"), hat);
        if (hash == null) {
            return;
        }
        fields(hash, Set.of("type", "header", "headers", "cookie", "queryParams", "tableSize"), Set.of(), hat);
        oneOf(hash, "type", hat, HASH_TYPES, true);
        Object hashType = hash.get("type");
        for (String[] pair : new String[][] {{"Header", "header"}, {"Headers", "headers"}, {"Cookie", "cookie"},
                {"QueryParams", "queryParams"}}) {
            if (pair[0].equals(hashType) != (hash.get(pair[1]) != null)) {
                error(hat, "If consistent hash type is " + pair[0] + ", the " + pair[1] + " field must be set"
                        + " (and only then).");
            }
        }
        Map<?, ?> header = map(hash.get("header"), hat + ".header");
        if (header != null) {
            fields(header, Set.of("name"), Set.of(), hat + ".header");
            string(header, "name", hat + ".header", true);
        }
        names(hash, "headers", hat);
        names(hash, "queryParams", hat);
        Map<?, ?> cookie = map(hash.get("cookie"), hat + ".cookie");
        if (cookie != null) {
            fields(cookie, Set.of("name", "ttl", "attributes"), Set.of(), hat + ".cookie");
            string(cookie, "name", hat + ".cookie", true);
            duration(cookie, "ttl", hat + ".cookie", false);
            if (cookie.get("attributes") != null && !(cookie.get("attributes") instanceof Map<?, ?> m
                    && m.values().stream().allMatch(v -> v instanceof String))) {
                error(hat + ".cookie.attributes", "must be a mapping of attribute name to string value");
            }
        }
        Long size = integer(hash, "tableSize", hat, 2, 5000011);
        if (size != null && !BigInteger.valueOf(size).isProbablePrime(50)) {
            error(hat + ".tableSize", "must be a prime number (Maglev's table size), such as 65537");
        }
    }

    private void names(Map<?, ?> parent, String key, String at) {
        List<?> items = list(parent, key, at);
        for (int i = 0; items != null && i < items.size(); i++) {
            String iat = at + "." + key + "[" + i + "]";
            Map<?, ?> item = map(items.get(i), iat);
            if (item != null) {
                fields(item, Set.of("name"), Set.of(), iat);
                string(item, "name", iat, true);
            }
        }
        if (items != null && items.isEmpty()) {
            error(at + "." + key, "must name at least one");
        }
    }

    private void healthCheck(Object value) {
        String at = "spec.healthCheck";
        Map<?, ?> hc = map(value, at);
        if (hc == null) {
            return;
        }
        fields(hc, Set.of("panicThreshold", "active", "passive"), Set.of(), at);
        integer(hc, "panicThreshold", at, 0, 100);
        active(hc.get("active"));
        passive(hc.get("passive"));
    }

    private void active(Object value) {
        String at = "spec.healthCheck.active";
        Map<?, ?> a = map(value, at);
        if (a == null) {
            return;
        }
        fields(a, Set.of("type", "timeout", "interval", "initialJitter", "unhealthyThreshold", "healthyThreshold",
                "http", "tcp", "grpc", "overrides"), Set.of("healthCheckLog"), at);
        oneOf(a, "type", at, Set.of("HTTP", "TCP", "GRPC"), true);
        duration(a, "timeout", at, false);
        duration(a, "interval", at, false);
        duration(a, "initialJitter", at, false);
        integer(a, "unhealthyThreshold", at, 1, UINT32);
        integer(a, "healthyThreshold", at, 1, UINT32);
        Object type = a.get("type");
        if ("HTTP".equals(type) != (a.get("http") != null)) {
            error(at, "If Health Checker type is HTTP, http field needs to be set.");
        }
        if ("TCP".equals(type) != (a.get("tcp") != null)) {
            error(at, "If Health Checker type is TCP, tcp field needs to be set (tcp: {} is enough).");
        }
        if (a.get("grpc") != null && !"GRPC".equals(type)) {
            error(at, "The grpc field can only be set if the Health Checker type is GRPC.");
        }
        Map<?, ?> http = map(a.get("http"), at + ".http");
        if (http != null) {
            String hat = at + ".http";
            fields(http, Set.of("path", "method", "hostname", "expectedStatuses", "expectedResponse"),
                    Set.of("retriableStatuses", "requestBody"), hat);
            String path = string(http, "path", hat, true);
            if (path != null && (path.isEmpty() || path.length() > 1024)) {
                error(hat + ".path", "must be 1 to 1024 characters");
            }
            String method = string(http, "method", hat, false);
            if (method != null && method.length() > 16) {
                error(hat + ".method", "must be at most 16 characters");
            }
            String host = string(http, "hostname", hat, false);
            if (host != null && (host.length() > 253 || !DNS_NAME.matcher(host).matches())) {
                error(hat + ".hostname", "must be a DNS name such as api.example.com");
            }
            statusCodes(http, "expectedStatuses", hat, 100);
            Map<?, ?> expected = map(http.get("expectedResponse"), hat + ".expectedResponse");
            if (expected != null) {
                String eat = hat + ".expectedResponse";
                fields(expected, Set.of("type", "text", "binary"), Set.of(), eat);
                oneOf(expected, "type", eat, Set.of("Text", "Binary"), true);
                if ("Text".equals(expected.get("type")) != (expected.get("text") != null)
                        || "Binary".equals(expected.get("type")) != (expected.get("binary") != null)) {
                    error(eat, "If payload type is Text, text field needs to be set; if Binary, binary (and only then).");
                }
                string(expected, "text", eat, false);
                String binary = string(expected, "binary", eat, false);
                if (binary != null && decode(binary) == null) {
                    error(eat + ".binary", "must be base64");
                }
            }
        }
        Map<?, ?> tcp = map(a.get("tcp"), at + ".tcp");
        if (tcp != null) {
            fields(tcp, Set.of(), Set.of("send", "receive"), at + ".tcp");
        }
        Map<?, ?> grpc = map(a.get("grpc"), at + ".grpc");
        if (grpc != null) {
            fields(grpc, Set.of("service"), Set.of(), at + ".grpc");
            string(grpc, "service", at + ".grpc", false);
        }
        Map<?, ?> overrides = map(a.get("overrides"), at + ".overrides");
        if (overrides != null) {
            fields(overrides, Set.of("port"), Set.of(), at + ".overrides");
            integer(overrides, "port", at + ".overrides", 1, 65535);
        }
    }

    static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void passive(Object value) {
        String at = "spec.healthCheck.passive";
        Map<?, ?> p = map(value, at);
        if (p == null) {
            return;
        }
        fields(p, Set.of("splitExternalLocalOriginErrors", "interval", "consecutiveLocalOriginFailures",
                "consecutiveGatewayErrors", "consecutive5XxErrors", "baseEjectionTime", "maxEjectionPercent"),
                Set.of("failurePercentageThreshold", "alwaysEjectOneEndpoint"), at);
        bool(p, "splitExternalLocalOriginErrors", at);
        duration(p, "interval", at, false);
        duration(p, "baseEjectionTime", at, false);
        integer(p, "consecutiveLocalOriginFailures", at, 0, UINT32);
        integer(p, "consecutiveGatewayErrors", at, 0, UINT32);
        integer(p, "consecutive5XxErrors", at, 0, UINT32);
        integer(p, "maxEjectionPercent", at, 0, 100);
    }

    private void retry(Object value) {
        String at = "spec.retry";
        Map<?, ?> r = map(value, at);
        if (r == null) {
            return;
        }
        fields(r, Set.of("numRetries", "retryOn", "perRetry"), Set.of("numAttemptsPerPriority"), at);
        integer(r, "numRetries", at, 0, Integer.MAX_VALUE);
        Map<?, ?> on = map(r.get("retryOn"), at + ".retryOn");
        if (on != null) {
            fields(on, Set.of("triggers", "httpStatusCodes"), Set.of(), at + ".retryOn");
            List<?> triggers = list(on, "triggers", at + ".retryOn");
            for (int i = 0; triggers != null && i < triggers.size(); i++) {
                if (!RETRY_TRIGGERS.contains(String.valueOf(triggers.get(i)))) {
                    error(at + ".retryOn.triggers[" + i + "]", "must be one of "
                            + String.join(", ", new java.util.TreeSet<>(RETRY_TRIGGERS)));
                }
            }
            statusCodes(on, "httpStatusCodes", at + ".retryOn", 100);
        }
        Map<?, ?> per = map(r.get("perRetry"), at + ".perRetry");
        if (per != null) {
            fields(per, Set.of("timeout", "backOff"), Set.of(), at + ".perRetry");
            duration(per, "timeout", at + ".perRetry", false);
            Map<?, ?> backOff = map(per.get("backOff"), at + ".perRetry.backOff");
            if (backOff != null) {
                String bat = at + ".perRetry.backOff";
                fields(backOff, Set.of("baseInterval", "maxInterval"), Set.of(), bat);
                java.time.Duration base = duration(backOff, "baseInterval", bat, false);
                java.time.Duration max = duration(backOff, "maxInterval", bat, false);
                if (base != null && max != null && max.compareTo(base) < 0) {
                    error(bat + ".maxInterval", "maxInterval cannot be less than baseInterval");
                }
            }
        }
    }

    private void circuitBreaker(Object value) {
        String at = "spec.circuitBreaker";
        Map<?, ?> c = map(value, at);
        if (c == null) {
            return;
        }
        fields(c, Set.of("maxConnections", "maxPendingRequests", "maxParallelRequests", "maxParallelRetries",
                "maxRequestsPerConnection", "perEndpoint", "retryBudget"), Set.of(), at);
        for (String key : List.of("maxConnections", "maxPendingRequests", "maxParallelRequests", "maxParallelRetries",
                "maxRequestsPerConnection")) {
            integer(c, key, at, 0, UINT32);
        }
        Map<?, ?> per = map(c.get("perEndpoint"), at + ".perEndpoint");
        if (per != null) {
            fields(per, Set.of("maxConnections"), Set.of(), at + ".perEndpoint");
            integer(per, "maxConnections", at + ".perEndpoint", 0, UINT32);
        }
        String bat = at + ".retryBudget";
        Map<?, ?> budget = map(c.get("retryBudget"), bat);
        if (budget == null) {
            return;
        }
        fields(budget, Set.of("percent", "minRetryConcurrency"), Set.of(), bat);
        integer(budget, "minRetryConcurrency", bat, 0, UINT32);
        Map<?, ?> percent = map(budget.get("percent"), bat + ".percent");
        if (percent == null) {
            error(bat + ".percent", "required field is missing");
            return;
        }
        fields(percent, Set.of("numerator", "denominator"), Set.of(), bat + ".percent");
        if (percent.get("numerator") == null) {
            error(bat + ".percent.numerator", "required field is missing");
        }
        Long numerator = integer(percent, "numerator", bat + ".percent", 0, UINT32);
        Long denominator = integer(percent, "denominator", bat + ".percent", 1, UINT32);
        if (numerator != null && numerator > (denominator == null ? 100 : denominator)) {
            error(bat + ".percent", "numerator cannot be greater than denominator");
        }
    }

    private void timeout(Object value) {
        String at = "spec.timeout";
        Map<?, ?> t = map(value, at);
        if (t == null) {
            return;
        }
        fields(t, Set.of("tcp", "http"), Set.of(), at);
        Map<?, ?> tcp = map(t.get("tcp"), at + ".tcp");
        if (tcp != null) {
            fields(tcp, Set.of("connectTimeout"), Set.of(), at + ".tcp");
            duration(tcp, "connectTimeout", at + ".tcp", false);
        }
        Map<?, ?> http = map(t.get("http"), at + ".http");
        if (http != null) {
            fields(http, Set.of("connectionIdleTimeout", "maxConnectionDuration", "requestTimeout"),
                    Set.of("maxStreamDuration", "streamIdleTimeout"), at + ".http");
            duration(http, "connectionIdleTimeout", at + ".http", false);
            duration(http, "maxConnectionDuration", at + ".http", false);
            duration(http, "requestTimeout", at + ".http", false);
        }
    }

    /** EG's schema and CEL for {@code rateLimit}, and {@code buildLocalRateLimit}'s checks of the local rules. */
    private void rateLimit(Object value) {
        String at = "spec.rateLimit";
        Map<?, ?> r = map(value, at);
        if (r == null) {
            return;
        }
        fields(r, Set.of("type", "local", "global"), Set.of(), at);
        oneOf(r, "type", at, Set.of("Global", "Local"), false);
        for (String scope : List.of("local", "global")) {
            Map<?, ?> m = map(r.get(scope), at + "." + scope);
            if (m == null) {
                continue;
            }
            fields(m, Set.of("rules"), Set.of(), at + "." + scope);
            List<?> rules = list(m, "rules", at + "." + scope);
            boolean local = scope.equals("local");
            if (rules == null ? !local : rules.size() > (local ? 16 : 256)) {
                error(at + "." + scope + ".rules", rules == null ? "required field is missing"
                        : "at most " + (local ? 16 : 256) + " rules");
            }
            Long defaultUnit = null;
            for (int i = 0; rules != null && i < rules.size(); i++) {
                String rat = at + "." + scope + ".rules[" + i + "]";
                Map<?, ?> rule = map(rules.get(i), rat);
                Long unit = rule == null ? null : rateLimitRule(rule, rat, local);
                if (local && unit != null && !(rule.get("clientSelectors") instanceof List<?> l && !l.isEmpty())) {
                    if (defaultUnit != null) {
                        error(rat, "only one local rule may leave out clientSelectors (the route's default bucket)");
                    }
                    defaultUnit = unit;
                }
            }
            for (int i = 0; local && defaultUnit != null && rules != null && i < rules.size(); i++) {
                if (rules.get(i) instanceof Map<?, ?> rule && rule.get("limit") instanceof Map<?, ?> limit
                        && limit.get("unit") instanceof String u && RATE_UNITS.containsKey(u)
                        && RATE_UNITS.get(u) % defaultUnit != 0) {
                    error(at + ".local.rules[" + i + "].limit.unit",
                            "must be a multiple of the default rule's unit (the rule without clientSelectors)");
                }
            }
        }
    }

    /** @return the rule's unit in seconds, or null when the limit is unusable */
    private Long rateLimitRule(Map<?, ?> rule, String at, boolean local) {
        fields(rule, Set.of("clientSelectors", "limit", "cost", "shared", "shadowMode", "xRateLimitHeaders"), Set.of(),
                at);
        bool(rule, "shared", at);
        bool(rule, "shadowMode", at);
        if (local && Boolean.TRUE.equals(rule.get("shadowMode"))) {
            error(at + ".shadowMode", "shadowMode is only supported for global rate limits");
        }
        oneOf(rule, "xRateLimitHeaders", at, Set.of("Off", "DraftVersion03"), false);
        List<?> selectors = list(rule, "clientSelectors", at);
        if (selectors != null && selectors.size() > 8) {
            error(at + ".clientSelectors", "at most 8 selectors");
        }
        for (int i = 0; selectors != null && i < selectors.size(); i++) {
            String sat = at + ".clientSelectors[" + i + "]";
            Map<?, ?> s = map(selectors.get(i), sat);
            if (s == null) {
                continue;
            }
            fields(s, Set.of("headers", "methods", "path", "sourceCIDR", "queryParams", "consumer"), Set.of(), sat);
            if (s.isEmpty()) {
                error(sat, "at least one of headers, methods, path, sourceCIDR, queryParams or consumer must be"
                        + " specified");
            }
            valueMatches(s, "headers", sat, 128);
            valueMatches(s, "queryParams", sat, 16);
            Map<?, ?> consumer = map(s.get("consumer"), sat + ".consumer");
            if (consumer != null) {
                valueMatch(consumer, sat + ".consumer", false); // gatehouse's: the SecurityPolicy's consumer
            }
            List<?> methods = list(s, "methods", sat);
            for (int m = 0; methods != null && m < methods.size(); m++) {
                Map<?, ?> method = map(methods.get(m), sat + ".methods[" + m + "]");
                if (method != null) {
                    fields(method, Set.of("value", "invert"), Set.of(), sat + ".methods[" + m + "]");
                    oneOf(method, "value", sat + ".methods[" + m + "]", Set.of("GET", "HEAD", "POST", "PUT", "DELETE",
                            "CONNECT", "OPTIONS", "TRACE", "PATCH"), true);
                    bool(method, "invert", sat + ".methods[" + m + "]");
                }
            }
            Map<?, ?> path = map(s.get("path"), sat + ".path");
            if (path != null) {
                fields(path, Set.of("type", "value", "invert"), Set.of(), sat + ".path");
                oneOf(path, "type", sat + ".path", Set.of("Exact", "PathPrefix", "RegularExpression"), false);
                regex(path, sat + ".path", string(path, "value", sat + ".path", false));
                bool(path, "invert", sat + ".path");
            }
            Map<?, ?> cidr = map(s.get("sourceCIDR"), sat + ".sourceCIDR");
            if (cidr != null) {
                fields(cidr, Set.of("type", "value", "invert"), Set.of(), sat + ".sourceCIDR");
                oneOf(cidr, "type", sat + ".sourceCIDR", Set.of("Exact", "Distinct"), false);
                bool(cidr, "invert", sat + ".sourceCIDR");
                String v = string(cidr, "value", sat + ".sourceCIDR", true);
                if (v != null && Cidr.problem(v) != null) {
                    error(sat + ".sourceCIDR.value", Cidr.problem(v));
                }
            }
        }
        Map<?, ?> cost = map(rule.get("cost"), at + ".cost");
        if (cost != null) {
            fields(cost, Set.of("request"), Set.of("response"), at + ".cost");
            Map<?, ?> request = map(cost.get("request"), at + ".cost.request");
            if (request != null) {
                fields(request, Set.of("from", "number"), Set.of("metadata"), at + ".cost.request");
                oneOf(request, "from", at + ".cost.request", Set.of("Number"), true);
                integer(request, "number", at + ".cost.request", 0, UINT32);
            }
        }
        Map<?, ?> limit = map(rule.get("limit"), at + ".limit");
        if (limit == null) {
            error(at + ".limit", "required field is missing");
            return null;
        }
        fields(limit, Set.of("requests", "unit"), Set.of("fromMetadata"), at + ".limit");
        if (limit.get("requests") == null) {
            error(at + ".limit.requests", "required field is missing");
        }
        Long requests = integer(limit, "requests", at + ".limit", 0, UINT32);
        oneOf(limit, "unit", at + ".limit", RATE_UNITS.keySet(), true);
        return requests == null ? null : RATE_UNITS.get(limit.get("unit"));
    }

    private void valueMatches(Map<?, ?> selector, String key, String at, int max) {
        List<?> matches = list(selector, key, at);
        if (matches != null && matches.size() > max) {
            error(at + "." + key, "at most " + max + " items");
        }
        for (int i = 0; matches != null && i < matches.size(); i++) {
            String hat = at + "." + key + "[" + i + "]";
            Map<?, ?> h = map(matches.get(i), hat);
            if (h != null) {
                valueMatch(h, hat, true);
            }
        }
    }

    /** One Exact, RegularExpression or Distinct match: a header's or query parameter's (named) or the consumer's. */
    private void valueMatch(Map<?, ?> h, String hat, boolean named) {
        fields(h, named ? Set.of("name", "type", "value", "invert") : Set.of("type", "value", "invert"), Set.of(), hat);
        if (named) {
            String name = string(h, "name", hat, true);
            if (name != null && (name.isEmpty() || name.length() > 256)) {
                error(hat + ".name", "must be 1 to 256 characters");
            }
        }
        oneOf(h, "type", hat, Set.of("Exact", "RegularExpression", "Distinct"), false);
        bool(h, "invert", hat);
        String value = string(h, "value", hat, false);
        if ("Distinct".equals(h.get("type"))) {
            if (value != null || Boolean.TRUE.equals(h.get("invert"))) {
                error(hat, "value and invert must be omitted when type is Distinct");
            }
        } else if (value == null) {
            error(hat + ".value", "required unless type is Distinct");
        } else if (value.length() > 1024) {
            error(hat + ".value", "at most 1024 characters");
        } else {
            regex(h, hat, value);
        }
    }

    /** RegularExpression values are RE2, as the data plane compiles them. */
    private void regex(Map<?, ?> match, String at, String value) {
        if ("RegularExpression".equals(match.get("type")) && value != null) {
            try {
                com.google.re2j.Pattern.compile(value);
            } catch (com.google.re2j.PatternSyntaxException e) {
                error(at + ".value", "not a valid RE2 regular expression: " + e.getDescription());
            }
        }
    }
}
