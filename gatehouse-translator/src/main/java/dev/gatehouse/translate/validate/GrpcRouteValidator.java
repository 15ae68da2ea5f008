package dev.gatehouse.translate.validate;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCMethodMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilterBuilder;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * GRPCRoute spec as the API server admits it: parentRefs and hostnames as HTTPRoute's, the method match's CEL rules
 * (service or method given; for Exact, a protobuf service name and method name), header matches, and filters of
 * GRPCRoute's four types, checked as HTTPRoute's ({@link FilterValidator}).
 */
public final class GrpcRouteValidator {
    private static final Pattern SERVICE = Pattern.compile("(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*");
    private static final Pattern METHOD = Pattern.compile("[A-Za-z_][A-Za-z_0-9]*");
    private static final List<String> FILTER_TYPES = List.of("ResponseHeaderModifier", "RequestHeaderModifier",
            "RequestMirror", "ExtensionRef");

    private GrpcRouteValidator() {
    }

    static void validate(GRPCRouteSpec spec, Findings f) {
        HttpRouteValidator.parentsAndHostnames(spec.getParentRefs(), spec.getHostnames(), f);
        f.maxItems("spec.rules", spec.getRules(), 16);
        List<GRPCRouteRule> rules = spec.getRules() == null ? List.of() : spec.getRules();
        for (int r = 0; r < rules.size(); r++) {
            rule(rules.get(r), "spec.rules[" + r + "]", f);
        }
    }

    /** GRPCRoute's filter types are a subset of HTTPRoute's, with the same configuration classes. */
    public static List<HTTPRouteFilter> asHttpFilters(List<GRPCRouteFilter> filters) {
        return filters == null ? null : filters.stream().map(x -> new HTTPRouteFilterBuilder().withType(x.getType())
                .withRequestHeaderModifier(x.getRequestHeaderModifier())
                .withResponseHeaderModifier(x.getResponseHeaderModifier())
                .withRequestMirror(x.getRequestMirror())
                .withExtensionRef(x.getExtensionRef()).build()).toList();
    }

    private static void rule(GRPCRouteRule rule, String field, Findings f) {
        f.maxItems(field + ".matches", rule.getMatches(), 64);
        f.maxItems(field + ".backendRefs", rule.getBackendRefs(), 16);
        List<GRPCRouteMatch> matches = rule.getMatches() == null ? List.of() : rule.getMatches();
        for (int m = 0; m < matches.size(); m++) {
            match(matches.get(m), field + ".matches[" + m + "]", f);
        }
        filters(rule.getFilters(), field + ".filters", f);
        HttpRouteValidator.sessionPersistence(rule.getSessionPersistence(), field, f);
        List<GRPCBackendRef> refs = rule.getBackendRefs() == null ? List.of() : rule.getBackendRefs();
        for (int b = 0; b < refs.size(); b++) {
            GRPCBackendRef ref = refs.get(b);
            String bf = field + ".backendRefs[" + b + "]";
            FilterValidator.backendRef(ref.getGroup(), ref.getKind(), ref.getName(), ref.getPort(), ref.getWeight(), bf, f);
            filters(ref.getFilters(), bf + ".filters", f);
        }
    }

    private static void filters(List<GRPCRouteFilter> filters, String field, Findings f) {
        f.maxItems(field, filters, 16);
        for (int i = 0; filters != null && i < filters.size(); i++) {
            f.oneOf(field + "[" + i + "].type", filters.get(i).getType(), FILTER_TYPES);
        }
        // HTTPRoute's checks for the types GRPCRoute has (a type it lacks has been reported above)
        FilterValidator.validate(asHttpFilters(filters == null ? null : filters.stream()
                .filter(x -> x.getType() == null || FILTER_TYPES.contains(x.getType())).toList()), List.of(), field, f);
    }

    private static void match(GRPCRouteMatch match, String field, Findings f) {
        GRPCMethodMatch method = match.getMethod();
        if (method != null) {
            String mf = field + ".method";
            f.oneOf(mf + ".type", method.getType(), List.of("Exact", "RegularExpression"));
            boolean service = method.getService() != null && !method.getService().isEmpty();
            boolean name = method.getMethod() != null && !method.getMethod().isEmpty();
            if (!service && !name) {
                f.error(mf, "One or both of 'service' or 'method' must be specified");
            }
            if (!"RegularExpression".equals(method.getType())) {
                f.matches(mf + ".service", method.getService(), SERVICE, "service name (matching " + SERVICE + ")");
                f.matches(mf + ".method", method.getMethod(), METHOD, "method name (matching " + METHOD + ")");
            }
        }
        f.maxItems(field + ".headers", match.getHeaders(), 16);
        Set<String> names = new HashSet<>();
        List<GRPCHeaderMatch> headers = match.getHeaders() == null ? List.of() : match.getHeaders();
        for (int i = 0; i < headers.size(); i++) {
            String hf = field + ".headers[" + i + "]";
            GRPCHeaderMatch h = headers.get(i);
            f.oneOf(hf + ".type", h.getType(), HttpRouteValidator.VALUE_TYPES);
            if (f.required(hf + ".name", h.getName())) {
                f.matches(hf + ".name", h.getName(), ApiFormats.HEADER_NAME, "header name");
                if (!names.add(h.getName())) {
                    f.error(hf + ".name", "header " + h.getName() + " is matched twice (names must be unique)");
                }
            }
            f.required(hf + ".value", h.getValue());
        }
    }
}
