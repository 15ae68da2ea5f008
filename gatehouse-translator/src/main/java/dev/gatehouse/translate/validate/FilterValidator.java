package dev.gatehouse.translate.validate;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPExternalAuthFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathModifier;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestMirrorFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestRedirectFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** HTTPRouteFilter lists of a rule or backendRef: type/field agreement and the CEL rules across filters. */
final class FilterValidator {
    /** GEP-1494's pattern for ExternalAuth's http.path. */
    private static final java.util.regex.Pattern EXT_AUTH_PATH =
            java.util.regex.Pattern.compile("^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$");
    private static final List<Integer> REDIRECT_CODES = List.of(301, 302, 303, 307, 308);
    /** Filter types that may appear at most once in a list. */
    private static final Set<String> SINGLETONS = Set.of("RequestHeaderModifier", "ResponseHeaderModifier",
            "RequestRedirect", "URLRewrite", "CORS");

    private FilterValidator() {
    }

    static void validate(List<HTTPRouteFilter> filters, List<HTTPRouteMatch> matches, String field, Findings f) {
        if (filters == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        boolean redirect = false;
        boolean rewrite = false;
        boolean replacePrefix = false;
        for (int i = 0; i < filters.size(); i++) {
            HTTPRouteFilter filter = filters.get(i);
            String ff = field + "[" + i + "]";
            String type = filter.getType();
            if (!f.required(ff + ".type", type)) {
                continue;
            }
            if (!typeAndField(filter, ff, f)) {
                continue;
            }
            if (SINGLETONS.contains(type) && !seen.add(type)) {
                f.error(ff + ".type", type + " filter cannot be repeated");
            }
            switch (type) {
                case "RequestHeaderModifier" -> headerFilter(filter.getRequestHeaderModifier(), ff + ".requestHeaderModifier", f);
                case "ResponseHeaderModifier" -> headerFilter(filter.getResponseHeaderModifier(), ff + ".responseHeaderModifier", f);
                case "RequestRedirect" -> {
                    redirect = true;
                    replacePrefix |= redirect(filter.getRequestRedirect(), ff + ".requestRedirect", f);
                }
                case "URLRewrite" -> {
                    rewrite = true;
                    preciseHostname(ff + ".urlRewrite.hostname", filter.getUrlRewrite().getHostname(), f);
                    replacePrefix |= pathModifier(filter.getUrlRewrite().getPath(), ff + ".urlRewrite.path", f);
                }
                case "RequestMirror" -> mirror(filter.getRequestMirror(), ff + ".requestMirror", f);
                case "ExternalAuth" -> externalAuth(filter.getExternalAuth(), ff + ".externalAuth", f);
                case "ExtensionRef" -> {
                    f.required(ff + ".extensionRef.group", filter.getExtensionRef().getGroup() == null ? null : "set");
                    f.required(ff + ".extensionRef.kind", filter.getExtensionRef().getKind());
                    f.required(ff + ".extensionRef.name", filter.getExtensionRef().getName());
                }
                default -> { }
            }
        }
        if (redirect && rewrite) {
            f.error(field, "may specify either RequestRedirect or URLRewrite, but not both");
        }
        // The CRD defaults an absent match list to one PathPrefix "/" match, which satisfies this rule.
        if (replacePrefix && !(matches.isEmpty() || matches.size() == 1 && isPathPrefix(matches.get(0)))) {
            f.error(field, "ReplacePrefixMatch requires exactly one match, of type PathPrefix");
        }
    }

    private static boolean isPathPrefix(HTTPRouteMatch m) {
        return m.getPath() == null || m.getPath().getType() == null || "PathPrefix".equals(m.getPath().getType());
    }

    /** The field named after the type must be set, and no other filter field. */
    private static boolean typeAndField(HTTPRouteFilter filter, String ff, Findings f) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("RequestHeaderModifier", filter.getRequestHeaderModifier());
        fields.put("ResponseHeaderModifier", filter.getResponseHeaderModifier());
        fields.put("RequestMirror", filter.getRequestMirror());
        fields.put("RequestRedirect", filter.getRequestRedirect());
        fields.put("URLRewrite", filter.getUrlRewrite());
        fields.put("ExtensionRef", filter.getExtensionRef());
        fields.put("CORS", filter.getCors());
        fields.put("ExternalAuth", filter.getExternalAuth());
        String type = filter.getType();
        if (!fields.containsKey(type)) {
            f.error(ff + ".type", "unsupported value \"" + type + "\": must be one of " + String.join(", ", fields.keySet()));
            return false;
        }
        boolean ok = true;
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            String name = fieldName(e.getKey());
            if (e.getKey().equals(type) && e.getValue() == null) {
                f.error(ff + "." + name, name + " must be specified for " + type + " filter.type");
                ok = false;
            } else if (!e.getKey().equals(type) && e.getValue() != null) {
                f.error(ff + "." + name, name + " must be nil if the filter.type is not " + e.getKey());
                ok = false;
            }
        }
        return ok;
    }

    private static String fieldName(String type) {
        return switch (type) {
            case "URLRewrite" -> "urlRewrite";
            case "CORS" -> "cors";
            default -> Character.toLowerCase(type.charAt(0)) + type.substring(1);
        };
    }

    private static void headerFilter(HTTPHeaderFilter h, String field, Findings f) {
        Set<String> names = new HashSet<>();
        headers(h.getSet(), field + ".set", names, f);
        headers(h.getAdd(), field + ".add", names, f);
        List<String> remove = h.getRemove() == null ? List.of() : h.getRemove();
        Set<String> removed = new HashSet<>();
        for (int i = 0; i < remove.size(); i++) {
            f.matches(field + ".remove[" + i + "]", remove.get(i), ApiFormats.HEADER_NAME, "header name");
            if (!removed.add(remove.get(i).toLowerCase(Locale.ROOT))) {
                f.error(field + ".remove[" + i + "]", "header " + remove.get(i) + " is listed twice");
            }
        }
    }

    private static void headers(List<HTTPHeader> headers, String field, Set<String> names, Findings f) {
        if (headers == null) {
            return;
        }
        Set<String> local = new HashSet<>();
        for (int i = 0; i < headers.size(); i++) {
            HTTPHeader h = headers.get(i);
            String hf = field + "[" + i + "]";
            if (f.required(hf + ".name", h.getName())) {
                f.matches(hf + ".name", h.getName(), ApiFormats.HEADER_NAME, "header name");
                if (!local.add(h.getName().toLowerCase(Locale.ROOT))) {
                    f.error(hf + ".name", "header " + h.getName() + " is listed twice");
                }
            }
            if (h.getValue() == null) {
                f.error(hf + ".value", "required field is missing");
            }
        }
        names.addAll(local);
    }

    /** @return whether the redirect uses ReplacePrefixMatch */
    private static boolean redirect(HTTPRequestRedirectFilter r, String field, Findings f) {
        f.oneOf(field + ".scheme", r.getScheme(), List.of("http", "https"));
        if (r.getStatusCode() != null && !REDIRECT_CODES.contains(r.getStatusCode())) {
            f.error(field + ".statusCode", "unsupported value " + r.getStatusCode() + ": must be one of 301, 302, 303, 307, 308");
        }
        f.port(field + ".port", r.getPort());
        preciseHostname(field + ".hostname", r.getHostname(), f);
        return pathModifier(r.getPath(), field + ".path", f);
    }

    /** @return whether the modifier is ReplacePrefixMatch */
    private static boolean pathModifier(HTTPPathModifier p, String field, Findings f) {
        if (p == null) {
            return false;
        }
        if (!f.required(field + ".type", p.getType())) {
            return false;
        }
        f.oneOf(field + ".type", p.getType(), List.of("ReplaceFullPath", "ReplacePrefixMatch"));
        if (p.getType().equals("ReplaceFullPath")) {
            f.required(field + ".replaceFullPath", p.getReplaceFullPath());
            if (p.getReplacePrefixMatch() != null) {
                f.error(field + ".replacePrefixMatch", "replacePrefixMatch must be nil when type is ReplaceFullPath");
            }
        } else if (p.getType().equals("ReplacePrefixMatch")) {
            f.required(field + ".replacePrefixMatch", p.getReplacePrefixMatch());
            if (p.getReplaceFullPath() != null) {
                f.error(field + ".replaceFullPath", "replaceFullPath must be nil when type is ReplacePrefixMatch");
            }
            return true;
        }
        return false;
    }

    private static void mirror(HTTPRequestMirrorFilter m, String field, Findings f) {
        BackendObjectReference ref = m.getBackendRef();
        if (f.required(field + ".backendRef", ref)) {
            backendRef(ref.getGroup(), ref.getKind(), ref.getName(), ref.getPort(), field + ".backendRef", f);
        }
        if (m.getPercent() != null && m.getFraction() != null) {
            f.error(field, "only one of percent or fraction may be specified");
        }
        if (m.getPercent() != null && (m.getPercent() < 0 || m.getPercent() > 100)) {
            f.error(field + ".percent", "percent " + m.getPercent() + " is outside 0..100");
        }
        if (m.getFraction() != null) {
            Integer num = m.getFraction().getNumerator();
            Integer den = m.getFraction().getDenominator() == null ? 100 : m.getFraction().getDenominator();
            if (f.required(field + ".fraction.numerator", num) && (num < 0 || den <= 0 || num > den)) {
                f.error(field + ".fraction", "numerator must be in 0..denominator and denominator positive");
            }
        }
    }

    /** GEP-1494's schema and CEL rules (protocol and its block agree, a Service needs a port, header names). */
    private static void externalAuth(HTTPExternalAuthFilter e, String field, Findings f) {
        BackendObjectReference ref = e.getBackendRef();
        if (f.required(field + ".backendRef", ref)) {
            backendRef(ref.getGroup(), ref.getKind(), ref.getName(), ref.getPort(), field + ".backendRef", f);
        }
        String protocol = e.getProtocol();
        if (f.required(field + ".protocol", protocol) && !protocol.equals("HTTP") && !protocol.equals("GRPC")) {
            f.error(field + ".protocol", "unsupported value \"" + protocol + "\": must be one of HTTP, GRPC");
        }
        if ("GRPC".equals(protocol) != (e.getGrpc() != null)) {
            f.error(field, e.getGrpc() == null ? "grpc must be specified when protocol is set to 'GRPC'"
                    : "protocol must be 'GRPC' when grpc is set");
        }
        if ("HTTP".equals(protocol) != (e.getHttp() != null)) {
            f.error(field, e.getHttp() == null ? "http must be specified when protocol is set to 'HTTP'"
                    : "protocol must be 'HTTP' when http is set");
        }
        if (e.getHttp() != null) {
            names(e.getHttp().getAllowedHeaders(), field + ".http.allowedHeaders", f);
            names(e.getHttp().getAllowedResponseHeaders(), field + ".http.allowedResponseHeaders", f);
            if (e.getHttp().getPath() != null) {
                f.matches(field + ".http.path", e.getHttp().getPath(), EXT_AUTH_PATH, "path");
            }
        }
        if (e.getForwardBody() != null && e.getForwardBody().getMaxSize() != null && e.getForwardBody().getMaxSize() < 0) {
            f.error(field + ".forwardBody.maxSize", "must be 0 or more");
        }
    }

    private static void names(List<String> names, String field, Findings f) {
        for (int i = 0; names != null && i < names.size(); i++) {
            f.matches(field + "[" + i + "]", names.get(i), ApiFormats.HEADER_NAME, "header name");
        }
    }

    private static void preciseHostname(String field, String hostname, Findings f) {
        f.matches(field, hostname, ApiFormats.PRECISE_HOSTNAME, "hostname (lower-case DNS name, no wildcard)");
    }

    /** A route's backendRef: a backend reference with a weight in 0..1000000. */
    static void backendRef(String group, String kind, String name, Integer port, Integer weight, String field,
                           Findings f) {
        backendRef(group, kind, name, port, field, f);
        if (weight != null && (weight < 0 || weight > 1_000_000)) {
            f.error(field + ".weight", "weight " + weight + " is outside 0..1000000");
        }
    }

    /** A backend reference: name required, and a port when it names a Service. */
    static void backendRef(String group, String kind, String name, Integer port, String field, Findings f) {
        f.required(field + ".name", name);
        boolean service = (group == null || group.isEmpty()) && (kind == null || kind.equals("Service"));
        if (service && port == null) {
            f.error(field + ".port", "must have port for Service reference");
        }
        f.port(field + ".port", port);
    }
}
