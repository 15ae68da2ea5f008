package dev.gatehouse.routing.auth.oidc;

import com.google.re2j.Pattern;
import dev.gatehouse.ir.OidcSpec;
import dev.gatehouse.routing.filter.HttpExchange;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.List;

/**
 * Which unauthenticated requests get 401 rather than the login redirect: those matching any {@code denyRedirect}
 * header match (pseudo-headers {@code :path}, {@code :method}, {@code :authority} and {@code :scheme} included, as
 * Envoy's matcher sees them), and every request whose {@code Accept} does not ask for {@code text/html}: an API
 * client or a script cannot follow a login page, so it is told 401 instead.
 */
final class DenyRedirect {
    private record Match(String name, OidcSpec.MatchType type, String value, Pattern regex) {
        boolean matches(String actual) {
            return actual != null && switch (type) {
                case EXACT -> actual.equals(value);
                case PREFIX -> actual.startsWith(value);
                case SUFFIX -> actual.endsWith(value);
                case REGULAR_EXPRESSION -> regex.matches(actual);
            };
        }
    }

    private final List<Match> matches;

    DenyRedirect(List<OidcSpec.HeaderMatch> spec) {
        matches = spec.stream().map(m -> new Match(m.name(), m.type(), m.value(),
                m.type() == OidcSpec.MatchType.REGULAR_EXPRESSION ? Pattern.compile(m.value()) : null)).toList();
    }

    boolean denies(HttpExchange ex) {
        HttpHeaders h = ex.request().headers();
        for (Match m : matches) {
            if (m.matches(value(ex, h, m.name()))) {
                return true;
            }
        }
        String accept = h.get(HttpHeaderNames.ACCEPT);
        return accept == null || !accept.contains("text/html");
    }

    private static String value(HttpExchange ex, HttpHeaders h, String name) {
        return switch (name) {
            case ":path" -> ex.query() == null ? ex.path() : ex.path() + '?' + ex.query();
            case ":method" -> ex.request().method().name();
            case ":authority" -> h.get(HttpHeaderNames.HOST);
            case ":scheme" -> ex.scheme();
            default -> h.get(name);
        };
    }
}
