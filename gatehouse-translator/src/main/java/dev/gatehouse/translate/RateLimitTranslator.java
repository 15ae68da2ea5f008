package dev.gatehouse.translate;

import dev.gatehouse.ir.RateLimitSpec;
import dev.gatehouse.ir.RouteRef;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A validated BackendTrafficPolicy's {@code rateLimit} -> the {@link RateLimitSpec} of each route rule it applies to.
 * As EG does, a rule that is not {@code shared} counts per route rule, a {@code shared} one once for every target
 * of the policy; all {@code clientSelectors} of a rule must hold (EG flattens them into one match).
 */
final class RateLimitTranslator {
    /** A rule before it is given a route rule: {@code shared} decides whether its bucket names one. */
    record Template(RateLimitSpec.Rule rule, boolean shared) { }

    private RateLimitTranslator() {
    }

    /** The policy's rules, local then global (only the one {@code type} names, when the deprecated field is set). */
    static List<Template> templates(Map<?, ?> rateLimit, String self) {
        if (rateLimit == null) {
            return List.of();
        }
        List<Template> out = new ArrayList<>();
        Object type = rateLimit.get("type");
        for (RateLimitSpec.Scope scope : RateLimitSpec.Scope.values()) {
            String key = scope.name().toLowerCase(Locale.ROOT);
            if ((type == null || key.equalsIgnoreCase(String.valueOf(type)))
                    && rateLimit.get(key) instanceof Map<?, ?> m && m.get("rules") instanceof List<?> rules) {
                for (int i = 0; i < rules.size(); i++) {
                    out.add(template(scope, (Map<?, ?>) rules.get(i),
                            BackendTrafficPolicyTranslator.KIND + " " + self + " " + key + "[" + i + "]"));
                }
            }
        }
        return List.copyOf(out);
    }

    /** The rules as they apply to one route rule; null when the policy has none. */
    static RateLimitSpec forRule(List<Template> templates, String self, RouteRef route) {
        if (templates.isEmpty()) {
            return null;
        }
        List<RateLimitSpec.Rule> rules = new ArrayList<>(templates.size());
        for (Template t : templates) {
            RateLimitSpec.Rule r = t.rule();
            String bucket = t.shared() ? r.bucket() : r.bucket() + " " + route.kind() + " " + route.qualifiedName()
                    + " rule " + route.ruleIndex();
            rules.add(new RateLimitSpec.Rule(r.scope(), bucket, r.headers(), r.methods(), r.path(), r.sourceCidr(),
                    r.queryParams(), r.consumer(), r.requests(), r.unit(), r.cost(), r.shadowMode(), r.headersOn()));
        }
        return new RateLimitSpec(BackendTrafficPolicyTranslator.KIND + " " + self, rules);
    }

    private static Template template(RateLimitSpec.Scope scope, Map<?, ?> rule, String bucket) {
        List<RateLimitSpec.ValueMatch> headers = new ArrayList<>();
        List<RateLimitSpec.MethodMatch> methods = new ArrayList<>();
        List<RateLimitSpec.ValueMatch> queryParams = new ArrayList<>();
        RateLimitSpec.ValueMatch path = null;
        RateLimitSpec.CidrMatch cidr = null;
        RateLimitSpec.ValueMatch consumer = null;
        for (Object o : rule.get("clientSelectors") instanceof List<?> l ? l : List.of()) {
            Map<?, ?> selector = (Map<?, ?>) o;
            for (Object h : selector.get("headers") instanceof List<?> l ? l : List.of()) {
                headers.add(valueMatch((Map<?, ?>) h, "Exact"));
            }
            for (Object q : selector.get("queryParams") instanceof List<?> l ? l : List.of()) {
                queryParams.add(valueMatch((Map<?, ?>) q, "Exact"));
            }
            for (Object m : selector.get("methods") instanceof List<?> l ? l : List.of()) {
                Map<?, ?> method = (Map<?, ?>) m;
                methods.add(new RateLimitSpec.MethodMatch(String.valueOf(method.get("value")),
                        Boolean.TRUE.equals(method.get("invert"))));
            }
            if (selector.get("path") instanceof Map<?, ?> p) {
                path = valueMatch(p, "PathPrefix");
            }
            if (selector.get("sourceCIDR") instanceof Map<?, ?> c) {
                cidr = new RateLimitSpec.CidrMatch(String.valueOf(c.get("value")), "Distinct".equals(c.get("type")),
                        Boolean.TRUE.equals(c.get("invert")));
            }
            if (selector.get("consumer") instanceof Map<?, ?> c) {
                consumer = valueMatch(c, "Exact");
            }
        }
        Map<?, ?> limit = (Map<?, ?>) rule.get("limit");
        long cost = rule.get("cost") instanceof Map<?, ?> c && c.get("request") instanceof Map<?, ?> r
                && r.get("number") instanceof Number n ? n.longValue() : 1;
        return new Template(new RateLimitSpec.Rule(scope, bucket, headers, methods, path, cidr, queryParams, consumer,
                ((Number) limit.get("requests")).longValue(),
                RateLimitSpec.Unit.valueOf(String.valueOf(limit.get("unit")).toUpperCase(Locale.ROOT)), cost,
                Boolean.TRUE.equals(rule.get("shadowMode")), !"Off".equals(rule.get("xRateLimitHeaders"))),
                Boolean.TRUE.equals(rule.get("shared")));
    }

    private static RateLimitSpec.ValueMatch valueMatch(Map<?, ?> m, String defaultType) {
        String type = m.get("type") instanceof String s ? s : defaultType;
        RateLimitSpec.MatchType matchType = switch (type) {
            case "RegularExpression" -> RateLimitSpec.MatchType.REGULAR_EXPRESSION;
            case "Distinct" -> RateLimitSpec.MatchType.DISTINCT;
            case "PathPrefix" -> RateLimitSpec.MatchType.PATH_PREFIX;
            default -> RateLimitSpec.MatchType.EXACT;
        };
        String value = m.get("value") instanceof String v ? v : matchType == RateLimitSpec.MatchType.PATH_PREFIX
                && m.get("name") == null ? "/" : null;
        return new RateLimitSpec.ValueMatch(m.get("name") instanceof String n ? n : null, matchType, value,
                Boolean.TRUE.equals(m.get("invert")));
    }
}
