package dev.gatehouse.translate.validate;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPQueryParamMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteTimeouts;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** HTTPRoute spec: parentRefs, hostnames, matches, backendRefs and timeouts (filters: {@link FilterValidator}). */
final class HttpRouteValidator {
    private static final List<String> PATH_TYPES = List.of("Exact", "PathPrefix", "RegularExpression");
    static final List<String> VALUE_TYPES = List.of("Exact", "RegularExpression");
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
            "TRACE", "PATCH");

    private HttpRouteValidator() {
    }

    static void validate(HTTPRouteSpec spec, Findings f) {
        parentsAndHostnames(spec.getParentRefs(), spec.getHostnames(), f);
        f.maxItems("spec.rules", spec.getRules(), 16);
        List<HTTPRouteRule> rules = spec.getRules() == null ? List.of() : spec.getRules();
        for (int r = 0; r < rules.size(); r++) {
            rule(rules.get(r), "spec.rules[" + r + "]", f);
        }
    }

    /** What HTTPRoute and GRPCRoute share: parentRefs (with the CEL rules on several to one parent) and hostnames. */
    static void parentsAndHostnames(List<ParentReference> parentRefs, List<String> hostnameList, Findings f) {
        List<ParentReference> parents = parentRefs == null ? List.of() : parentRefs;
        f.maxItems("spec.parentRefs", parents, 32);
        for (int i = 0; i < parents.size(); i++) {
            String field = "spec.parentRefs[" + i + "]";
            f.required(field + ".name", parents.get(i).getName());
            f.port(field + ".port", parents.get(i).getPort());
        }
        sameParentRules(parents, f);
        f.maxItems("spec.hostnames", hostnameList, 16);
        List<String> hostnames = hostnameList == null ? List.of() : hostnameList;
        for (int i = 0; i < hostnames.size(); i++) {
            GatewayValidator.hostname("spec.hostnames[" + i + "]", hostnames.get(i), f);
        }
    }

    /**
     * CEL: several references to the same parent must each say which listener (sectionName or port), and
     * not the same one twice.
     */
    private static void sameParentRules(List<ParentReference> parents, Findings f) {
        Map<String, Integer> perParent = new HashMap<>();
        for (ParentReference p : parents) {
            perParent.merge(parentKey(p), 1, Integer::sum);
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < parents.size(); i++) {
            ParentReference p = parents.get(i);
            if (perParent.get(parentKey(p)) < 2) {
                continue;
            }
            if (p.getSectionName() == null && p.getPort() == null) {
                f.error("spec.parentRefs[" + i + "]", "sectionName or port must be specified when parentRefs includes "
                        + "2 or more references to the same parent");
            } else if (!seen.add(parentKey(p) + "|" + p.getSectionName() + "|" + p.getPort())) {
                f.error("spec.parentRefs[" + i + "]", "sectionName and port must be unique when parentRefs includes "
                        + "2 or more references to the same parent");
            }
        }
    }

    private static String parentKey(ParentReference p) {
        return p.getGroup() + "|" + (p.getKind() == null ? "Gateway" : p.getKind()) + "|" + p.getNamespace() + "|" + p.getName();
    }

    private static void rule(HTTPRouteRule rule, String field, Findings f) {
        f.maxItems(field + ".matches", rule.getMatches(), 64);
        f.maxItems(field + ".filters", rule.getFilters(), 16);
        f.maxItems(field + ".backendRefs", rule.getBackendRefs(), 16);
        List<HTTPRouteMatch> matches = rule.getMatches() == null ? List.of() : rule.getMatches();
        for (int m = 0; m < matches.size(); m++) {
            match(matches.get(m), field + ".matches[" + m + "]", f);
        }
        FilterValidator.validate(rule.getFilters(), matches, field + ".filters", f);
        List<HTTPBackendRef> refs = rule.getBackendRefs() == null ? List.of() : rule.getBackendRefs();
        for (int b = 0; b < refs.size(); b++) {
            HTTPBackendRef ref = refs.get(b);
            String bf = field + ".backendRefs[" + b + "]";
            FilterValidator.backendRef(ref.getGroup(), ref.getKind(), ref.getName(), ref.getPort(), ref.getWeight(), bf, f);
            FilterValidator.validate(ref.getFilters(), matches, bf + ".filters", f);
        }
        timeouts(rule.getTimeouts(), field + ".timeouts", f);
        retryAndSession(rule, field, f);
    }

    /** The schema of {@code retry} and {@code sessionPersistence}, with the latter's CEL rule. */
    private static void retryAndSession(HTTPRouteRule rule, String field, Findings f) {
        if (rule.getRetry() != null) {
            var r = rule.getRetry();
            f.matches(field + ".retry.backoff", r.getBackoff(), ApiFormats.DURATION, "duration (e.g. 100ms, 1s)");
            if (r.getAttempts() != null && r.getAttempts() < 1) {
                f.error(field + ".retry.attempts", "should be greater than or equal to 1");
            }
            List<Integer> codes = r.getCodes() == null ? List.of() : r.getCodes();
            for (int i = 0; i < codes.size(); i++) {
                if (codes.get(i) == null || codes.get(i) < 400 || codes.get(i) > 599) {
                    f.error(field + ".retry.codes[" + i + "]", "must be an HTTP status code between 400 and 599");
                }
            }
        }
        sessionPersistence(rule.getSessionPersistence(), field, f);
    }

    /** An HTTPRoute's or GRPCRoute's rule {@code sessionPersistence}: its schema and CEL rule. */
    static void sessionPersistence(io.fabric8.kubernetes.api.model.gatewayapi.v1.SessionPersistence s, String field,
                                   Findings f) {
        if (s == null) {
            return;
        }
        String at = field + ".sessionPersistence";
        if (s.getType() != null) {
            f.oneOf(at + ".type", s.getType(), List.of("Cookie", "Header"));
        }
        f.matches(at + ".absoluteTimeout", s.getAbsoluteTimeout(), ApiFormats.DURATION, "duration (e.g. 1h, 30m)");
        String lifetime = s.getCookieConfig() == null ? null : s.getCookieConfig().getLifetimeType();
        if (lifetime != null) {
            f.oneOf(at + ".cookieConfig.lifetimeType", lifetime, List.of("Permanent", "Session"));
        }
        if ("Permanent".equals(lifetime) && s.getAbsoluteTimeout() == null) {
            f.error(at, "AbsoluteTimeout must be specified when cookie lifetimeType is Permanent");
        }
    }

    private static void match(HTTPRouteMatch match, String field, Findings f) {
        HTTPPathMatch path = match.getPath();
        if (path != null) {
            f.oneOf(field + ".path.type", path.getType(), PATH_TYPES);
            String type = path.getType() == null ? "PathPrefix" : path.getType();
            if (!type.equals("RegularExpression") && path.getValue() != null) {
                pathValue(field + ".path.value", path.getValue(), f);
            }
        }
        f.maxItems(field + ".headers", match.getHeaders(), 16);
        f.maxItems(field + ".queryParams", match.getQueryParams(), 16);
        Set<String> names = new HashSet<>();
        List<HTTPHeaderMatch> headers = match.getHeaders() == null ? List.of() : match.getHeaders();
        for (int i = 0; i < headers.size(); i++) {
            String hf = field + ".headers[" + i + "]";
            HTTPHeaderMatch h = headers.get(i);
            f.oneOf(hf + ".type", h.getType(), VALUE_TYPES);
            if (f.required(hf + ".name", h.getName())) {
                f.matches(hf + ".name", h.getName(), ApiFormats.HEADER_NAME, "header name");
                if (!names.add(h.getName().toLowerCase(Locale.ROOT))) {
                    f.error(hf + ".name", "header " + h.getName() + " is matched twice (names must be unique)");
                }
            }
            f.required(hf + ".value", h.getValue());
        }
        names.clear();
        List<HTTPQueryParamMatch> query = match.getQueryParams() == null ? List.of() : match.getQueryParams();
        for (int i = 0; i < query.size(); i++) {
            String qf = field + ".queryParams[" + i + "]";
            HTTPQueryParamMatch q = query.get(i);
            f.oneOf(qf + ".type", q.getType(), VALUE_TYPES);
            if (f.required(qf + ".name", q.getName())) {
                f.matches(qf + ".name", q.getName(), ApiFormats.HEADER_NAME, "query parameter name");
                if (!names.add(q.getName())) {
                    f.error(qf + ".name", "query parameter " + q.getName() + " is matched twice (names must be unique)");
                }
            }
            f.required(qf + ".value", q.getValue());
        }
        f.oneOf(field + ".method", match.getMethod(), METHODS);
    }

    /** The CRD's CEL rules for Exact and PathPrefix values. */
    static void pathValue(String field, String value, Findings f) {
        if (!value.startsWith("/")) {
            f.error(field, "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']");
            return;
        }
        if (value.length() > 1024) {
            f.error(field, "value must be at most 1024 characters");
        }
        for (String bad : List.of("//", "/./", "/../", "%2f", "%2F", "#")) {
            if (value.contains(bad)) {
                f.error(field, "must not contain '" + bad + "' when type one of ['Exact', 'PathPrefix']");
            }
        }
        if (value.endsWith("/..") || value.endsWith("/.")) {
            f.error(field, "must not end with '/..' or '/.' when type one of ['Exact', 'PathPrefix']");
        }
    }

    private static void timeouts(HTTPRouteTimeouts t, String field, Findings f) {
        if (t == null) {
            return;
        }
        f.matches(field + ".request", t.getRequest(), ApiFormats.DURATION, "duration (e.g. 10s, 1m30s, 500ms)");
        f.matches(field + ".backendRequest", t.getBackendRequest(), ApiFormats.DURATION,
                "duration (e.g. 10s, 1m30s, 500ms)");
        Duration request = DurationFormat.parse(t.getRequest());
        Duration backend = DurationFormat.parse(t.getBackendRequest());
        if (request != null && backend != null && !request.isZero() && backend.compareTo(request) > 0) {
            f.error(field + ".backendRequest", "backendRequest timeout cannot be longer than request timeout");
        }
    }
}
