package dev.gatehouse.ir;

import java.util.List;

/** A Gateway API filter, typed. The data plane compiles each into an {@code HttpFilter}. */
public sealed interface FilterSpec {

    record HeaderSpec(String name, String value) { }

    /** RequestHeaderModifier: names as given (matched case-insensitively). */
    record RequestHeaderModifierSpec(List<HeaderSpec> set, List<HeaderSpec> add, List<String> remove)
            implements FilterSpec {
        public RequestHeaderModifierSpec {
            set = List.copyOf(set);
            add = List.copyOf(add);
            remove = List.copyOf(remove);
        }
    }

    /** ResponseHeaderModifier. */
    record ResponseHeaderModifierSpec(List<HeaderSpec> set, List<HeaderSpec> add, List<String> remove)
            implements FilterSpec {
        public ResponseHeaderModifierSpec {
            set = List.copyOf(set);
            add = List.copyOf(add);
            remove = List.copyOf(remove);
        }
    }

    enum PathModifierType { REPLACE_FULL_PATH, REPLACE_PREFIX_MATCH }

    /**
     * @param type how to change the path
     * @param value the full path, or the prefix that replaces the matched prefix
     * @param matchedPrefix for REPLACE_PREFIX_MATCH: the rule's PathPrefix value that is replaced
     */
    record PathModifierSpec(PathModifierType type, String value, String matchedPrefix) { }

    /**
     * RequestRedirect. {@code null} fields keep the request's value.
     *
     * @param port explicit port or {@code null}
     * @param statusCode 301, 302, 303, 307 or 308
     */
    record RequestRedirectSpec(String scheme, String hostname, PathModifierSpec path, Integer port, int statusCode)
            implements FilterSpec { }

    /** URLRewrite. {@code null} fields keep the request's value. */
    record UrlRewriteSpec(String hostname, PathModifierSpec path) implements FilterSpec { }

    /**
     * RequestMirror: the request is copied to {@code cluster}; its response is dropped.
     *
     * @param cluster a {@link ClusterSpec} name, or {@code null} when the reference is invalid (then nothing is mirrored)
     * @param percent share of requests mirrored, 0..100
     */
    record RequestMirrorSpec(String cluster, double percent) implements FilterSpec { }

    /** CORS, as HTTPCORSFilter. Lists hold the configured values verbatim ("*" allowed where the spec allows). */
    record CorsSpec(List<String> allowOrigins, boolean allowCredentials, List<String> allowMethods,
                    List<String> allowHeaders, List<String> exposeHeaders, int maxAgeSeconds) implements FilterSpec {
        public CorsSpec {
            allowOrigins = List.copyOf(allowOrigins);
            allowMethods = List.copyOf(allowMethods);
            allowHeaders = List.copyOf(allowHeaders);
            exposeHeaders = List.copyOf(exposeHeaders);
        }
    }

    /** A response the gateway writes itself, e.g. from a gatehouse.dev extension filter. */
    record DirectResponseSpec(int status, List<HeaderSpec> headers, String body) implements FilterSpec {
        public DirectResponseSpec {
            headers = List.copyOf(headers);
        }
    }

    /** GEP-1494's ExternalAuth (protocol HTTP): the same check as a SecurityPolicy's {@code extAuth}, in filter order. */
    record ExternalAuthSpec(ExtAuthSpec check) implements FilterSpec { }
}
