package dev.gatehouse.translate;

import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.ExtAuthSpec;
import dev.gatehouse.ir.FilterSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPAuthConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPExternalAuthFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPCORSFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathModifier;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestMirrorFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestRedirectFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalObjectReference;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** HTTPRouteFilter (of a rule or of a backendRef) to the typed {@link FilterSpec}. */
final class FilterTranslator {
    /** HTTPCORSFilter maxAge default, in seconds. */
    static final int DEFAULT_CORS_MAX_AGE = 5;

    private final BackendResolver backends;
    /** gatehouse.dev RequestTerminations by "namespace/name" */
    private final Map<String, RequestTermination> terminations;
    /** the kind of route whose filters these are, which a ReferenceGrant for a mirror's backend must name */
    private final String routeKind;

    FilterTranslator(BackendResolver backends, Map<String, RequestTermination> terminations) {
        this(backends, terminations, GatewayTranslator.HTTP_ROUTE);
    }

    FilterTranslator(BackendResolver backends, Map<String, RequestTermination> terminations, String routeKind) {
        this.backends = backends;
        this.terminations = terminations;
        this.routeKind = routeKind;
    }

    /**
     * @param matchedPrefix the PathPrefix value of the rule match these filters serve, or {@code null}
     */
    List<FilterSpec> translate(List<HTTPRouteFilter> filters, String matchedPrefix, String routeNamespace,
                               Map<String, ClusterSpec> clusters, RouteProblems problems) {
        List<FilterSpec> out = new ArrayList<>();
        if (filters == null) {
            return out;
        }
        for (HTTPRouteFilter f : filters) {
            FilterSpec spec = translate(f, matchedPrefix, routeNamespace, clusters, problems);
            if (spec != null) {
                out.add(spec);
            }
        }
        return out;
    }

    private FilterSpec translate(HTTPRouteFilter f, String matchedPrefix, String routeNamespace,
                                 Map<String, ClusterSpec> clusters, RouteProblems problems) {
        String type = f.getType() == null ? "" : f.getType();
        return switch (type) {
            case "RequestHeaderModifier" -> {
                HTTPHeaderFilter h = f.getRequestHeaderModifier();
                yield new FilterSpec.RequestHeaderModifierSpec(headers(h.getSet()), headers(h.getAdd()), names(h.getRemove()));
            }
            case "ResponseHeaderModifier" -> {
                HTTPHeaderFilter h = f.getResponseHeaderModifier();
                yield new FilterSpec.ResponseHeaderModifierSpec(headers(h.getSet()), headers(h.getAdd()), names(h.getRemove()));
            }
            case "RequestRedirect" -> redirect(f.getRequestRedirect(), matchedPrefix);
            case "URLRewrite" -> new FilterSpec.UrlRewriteSpec(lower(f.getUrlRewrite().getHostname()),
                    pathModifier(f.getUrlRewrite().getPath(), matchedPrefix));
            case "RequestMirror" -> mirror(f.getRequestMirror(), routeNamespace, clusters, problems);
            case "CORS" -> cors(f.getCors());
            case "ExternalAuth" -> externalAuth(f.getExternalAuth(), routeNamespace, clusters, problems);
            case "ExtensionRef" -> extension(f.getExtensionRef(), routeNamespace, problems);
            default -> {
                problems.unsupported("filter type " + type + " is not supported");
                yield null;
            }
        };
    }

    private static FilterSpec redirect(HTTPRequestRedirectFilter r, String matchedPrefix) {
        int status = r.getStatusCode() == null ? 302 : r.getStatusCode();
        return new FilterSpec.RequestRedirectSpec(r.getScheme(), lower(r.getHostname()),
                pathModifier(r.getPath(), matchedPrefix), r.getPort(), status);
    }

    private static FilterSpec.PathModifierSpec pathModifier(HTTPPathModifier path, String matchedPrefix) {
        if (path == null) {
            return null;
        }
        if ("ReplacePrefixMatch".equals(path.getType())) {
            return new FilterSpec.PathModifierSpec(FilterSpec.PathModifierType.REPLACE_PREFIX_MATCH,
                    path.getReplacePrefixMatch(), matchedPrefix);
        }
        return new FilterSpec.PathModifierSpec(FilterSpec.PathModifierType.REPLACE_FULL_PATH,
                path.getReplaceFullPath(), null);
    }

    private FilterSpec mirror(HTTPRequestMirrorFilter m, String routeNamespace, Map<String, ClusterSpec> clusters,
                              RouteProblems problems) {
        BackendObjectReference ref = m.getBackendRef();
        BackendResolver.Resolution r = backends.resolve(routeKind, new BackendResolver.Target(ref.getGroup(),
                ref.getKind(), ref.getName(), ref.getNamespace(), ref.getPort()), routeNamespace, clusters);
        if (r.failure() != null) {
            problems.unresolved(r.failure());
        }
        return new FilterSpec.RequestMirrorSpec(r.cluster(), mirrorPercent(m));
    }

    /**
     * GEP-1494's ExternalAuth, protocol HTTP: the same check as a SecurityPolicy's extAuth, with the GEP's
     * defaults (no timeout field: EG's 10 s; fails closed with 403; an empty {@code allowedResponseHeaders} copies
     * every header of the answer). GRPC and a forwarded body are refused by name: the route is not accepted.
     */
    private FilterSpec externalAuth(HTTPExternalAuthFilter e, String routeNamespace, Map<String, ClusterSpec> clusters,
                                    RouteProblems problems) {
        if ("GRPC".equals(e.getProtocol())) {
            problems.unsupported("ExternalAuth protocol GRPC (envoy.service.auth.v3) is not supported: use HTTP");
            return null;
        }
        if (e.getForwardBody() != null && e.getForwardBody().getMaxSize() != null && e.getForwardBody().getMaxSize() > 0) {
            problems.unsupported("ExternalAuth forwardBody is not supported: the request body is never sent to the"
                    + " auth service (remove forwardBody or set maxSize 0)");
            return null;
        }
        BackendObjectReference ref = e.getBackendRef();
        BackendResolver.Resolution r = backends.resolve(routeKind, new BackendResolver.Target(ref.getGroup(),
                ref.getKind(), ref.getName(), ref.getNamespace(), ref.getPort()), routeNamespace, clusters);
        if (r.failure() != null) {
            problems.unresolved(r.failure());
        }
        HTTPAuthConfig http = e.getHttp();
        List<String> toBackend = lowerCase(http.getAllowedResponseHeaders());
        return new FilterSpec.ExternalAuthSpec(new ExtAuthSpec("ExternalAuth filter",
                List.of(new ExtAuthSpec.Backend(r.cluster(), 1, r.invalidReason())),
                http.getPath() == null || http.getPath().isEmpty() ? null : http.getPath(), null,
                lowerCase(http.getAllowedHeaders()), toBackend, toBackend.isEmpty(), ExtAuthSpec.DEFAULT_TIMEOUT,
                false, ExtAuthSpec.DEFAULT_STATUS_ON_ERROR));
    }

    private static List<String> lowerCase(List<String> names) {
        return names == null ? List.of() : names.stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)).toList();
    }

    /** {@code percent}, or {@code fraction} as a percentage (denominator default 100), else everything. */
    static double mirrorPercent(HTTPRequestMirrorFilter m) {
        if (m.getPercent() != null) {
            return m.getPercent();
        }
        if (m.getFraction() != null && m.getFraction().getNumerator() != null) {
            int denominator = m.getFraction().getDenominator() == null ? 100 : m.getFraction().getDenominator();
            return denominator == 0 ? 0 : 100.0 * m.getFraction().getNumerator() / denominator;
        }
        return 100;
    }

    private static FilterSpec cors(HTTPCORSFilter c) {
        return new FilterSpec.CorsSpec(strings(c.getAllowOrigins()), Boolean.TRUE.equals(c.getAllowCredentials()),
                strings(c.getAllowMethods()), strings(c.getAllowHeaders()), strings(c.getExposeHeaders()),
                c.getMaxAge() == null ? DEFAULT_CORS_MAX_AGE : c.getMaxAge());
    }

    /**
     * A gatehouse.dev RequestTermination in the route's namespace (a LocalObjectReference never crosses
     * namespaces) becomes the response it describes. Anything else cannot be resolved, and the spec forbids
     * skipping such a filter: the requests it would have handled must get an error, so it becomes a 500 answer.
     */
    private FilterSpec extension(LocalObjectReference ref, String routeNamespace, RouteProblems problems) {
        if (RequestTermination.GROUP.equals(ref.getGroup()) && RequestTermination.KIND.equals(ref.getKind())) {
            RequestTermination t = terminations.get(ResourceIndex.key(routeNamespace, ref.getName()));
            if (t != null) {
                return t.toSpec();
            }
            String what = ref.getGroup() + "/" + ref.getKind() + " " + routeNamespace + "/" + ref.getName();
            problems.unresolved(Conditions.routeBackendNotFound("extension filter " + what + " not found"));
            return new FilterSpec.DirectResponseSpec(500, List.of(), "filter " + what + " not found");
        }
        String what = ref.getGroup() + "/" + ref.getKind() + " " + ref.getName();
        problems.unresolved(Conditions.routeInvalidKind("extension filter " + what + " is not supported"));
        return new FilterSpec.DirectResponseSpec(500, List.of(), "filter " + what + " not found");
    }

    private static List<FilterSpec.HeaderSpec> headers(List<HTTPHeader> headers) {
        return headers == null ? List.of()
                : headers.stream().map(h -> new FilterSpec.HeaderSpec(h.getName(), h.getValue())).toList();
    }

    private static List<String> names(List<String> names) {
        return names == null ? List.of() : names;
    }

    private static List<String> strings(List<String> values) {
        return values == null ? List.of() : values;
    }

    private static String lower(String hostname) {
        return Hostnames.normalize(hostname);
    }
}
