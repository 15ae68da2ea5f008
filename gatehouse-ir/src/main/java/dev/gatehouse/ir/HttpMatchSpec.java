package dev.gatehouse.ir;

import java.util.List;

/**
 * An HTTPRouteMatch; all parts must hold.
 *
 * @param path path match, never {@code null} (defaults to PathPrefix "/")
 * @param headers header matches (names lower case)
 * @param queryParams query parameter matches (names exact, case-sensitive)
 * @param method upper-case method or {@code null} for any
 */
public record HttpMatchSpec(PathMatchSpec path, List<HeaderMatchSpec> headers, List<QueryParamMatchSpec> queryParams,
                            String method) {
    public HttpMatchSpec {
        headers = List.copyOf(headers);
        queryParams = List.copyOf(queryParams);
    }

    public enum PathMatchType { EXACT, PATH_PREFIX, REGULAR_EXPRESSION }

    public enum ValueMatchType { EXACT, REGULAR_EXPRESSION }

    public record PathMatchSpec(PathMatchType type, String value) { }

    public record HeaderMatchSpec(ValueMatchType type, String name, String value) { }

    public record QueryParamMatchSpec(ValueMatchType type, String name, String value) { }
}
