package dev.gatehouse.translate;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.gatehouse.ir.HttpMatchSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPQueryParamMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTPRouteMatch to {@link HttpMatchSpec} with the spec's defaults (PathPrefix "/", Exact header and
 * query matches). Regular expressions must compile with RE2 ({@link com.google.re2j.Pattern}), the engine the
 * data plane matches with (linear time, as Envoy); one that does not, for instance one with a backreference,
 * lookaround or a possessive quantifier, makes the route unsupported.
 */
final class MatchTranslator {
    static final HttpMatchSpec.PathMatchSpec DEFAULT_PATH = new HttpMatchSpec.PathMatchSpec(
            HttpMatchSpec.PathMatchType.PATH_PREFIX, "/");

    private MatchTranslator() {
    }

    static HttpMatchSpec translate(HTTPRouteMatch match, String field, RouteProblems problems) {
        if (match == null) {
            return new HttpMatchSpec(DEFAULT_PATH, List.of(), List.of(), null);
        }
        HttpMatchSpec.PathMatchSpec path = path(match.getPath(), field + ".path", problems);
        List<HttpMatchSpec.HeaderMatchSpec> headers = new ArrayList<>();
        if (match.getHeaders() != null) {
            for (int i = 0; i < match.getHeaders().size(); i++) {
                HTTPHeaderMatch h = match.getHeaders().get(i);
                HttpMatchSpec.ValueMatchType type = valueType(h.getType(), h.getValue(),
                        field + ".headers[" + i + "]", problems);
                headers.add(new HttpMatchSpec.HeaderMatchSpec(type, h.getName().toLowerCase(Locale.ROOT), h.getValue()));
            }
        }
        List<HttpMatchSpec.QueryParamMatchSpec> query = new ArrayList<>();
        if (match.getQueryParams() != null) {
            for (int i = 0; i < match.getQueryParams().size(); i++) {
                HTTPQueryParamMatch q = match.getQueryParams().get(i);
                HttpMatchSpec.ValueMatchType type = valueType(q.getType(), q.getValue(),
                        field + ".queryParams[" + i + "]", problems);
                query.add(new HttpMatchSpec.QueryParamMatchSpec(type, q.getName(), q.getValue()));
            }
        }
        String method = match.getMethod() == null ? null : match.getMethod().toUpperCase(Locale.ROOT);
        return new HttpMatchSpec(path, headers, query, method);
    }

    private static HttpMatchSpec.PathMatchSpec path(HTTPPathMatch path, String field, RouteProblems problems) {
        if (path == null) {
            return DEFAULT_PATH;
        }
        String value = path.getValue() == null ? "/" : path.getValue();
        String type = path.getType() == null ? "PathPrefix" : path.getType();
        return switch (type) {
            case "Exact" -> new HttpMatchSpec.PathMatchSpec(HttpMatchSpec.PathMatchType.EXACT, value);
            case "RegularExpression" -> {
                checkRegex(value, field, problems);
                yield new HttpMatchSpec.PathMatchSpec(HttpMatchSpec.PathMatchType.REGULAR_EXPRESSION, value);
            }
            default -> new HttpMatchSpec.PathMatchSpec(HttpMatchSpec.PathMatchType.PATH_PREFIX, value);
        };
    }

    private static HttpMatchSpec.ValueMatchType valueType(String type, String value, String field, RouteProblems problems) {
        if ("RegularExpression".equals(type)) {
            checkRegex(value, field, problems);
            return HttpMatchSpec.ValueMatchType.REGULAR_EXPRESSION;
        }
        return HttpMatchSpec.ValueMatchType.EXACT;
    }

    private static void checkRegex(String value, String field, RouteProblems problems) {
        try {
            Pattern.compile(value);
        } catch (PatternSyntaxException e) {
            // re2j's message names the part it refused ("invalid escape sequence: `\1`"); drop its fixed prefix
            String why = e.getMessage().replaceFirst("^error parsing regexp: ", "");
            problems.unsupported(field + ".value: regular expression " + value + " is not RE2 syntax (no "
                    + "backreferences, lookaround or possessive quantifiers): " + why);
        }
    }
}
