package dev.gatehouse.routing.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.ir.JwtSpec;

import java.util.List;
import java.util.Map;

/** Reading a verified token's claims: dotted paths for nested claims, EG's claim and scope matching. */
final class JwtClaims {
    private JwtClaims() {
    }

    /** The claim at a dotted path ({@code org.tenant}), or {@code null}. A claim named with the dot wins. */
    static Object claim(JWTClaimsSet claims, String path) {
        Object direct = claims.getClaim(path);
        if (direct != null || path.indexOf('.') < 0) {
            return direct;
        }
        Object at = claims.getClaims();
        for (String part : path.split("\\.")) {
            if (!(at instanceof Map<?, ?> m)) {
                return null;
            }
            at = m.get(part);
        }
        return at;
    }

    /** A scalar claim as header text (string, number, boolean); {@code null} for lists, objects or absent. */
    static String scalar(JWTClaimsSet claims, String path) {
        Object v = claim(claims, path);
        return v instanceof String || v instanceof Number || v instanceof Boolean ? String.valueOf(v) : null;
    }

    /** EG's principal.jwt: every claim matches one of its values, every scope is granted. */
    static boolean matches(JwtSpec.Principal principal, JwtAuthentication.Verified token) {
        if (token == null || !principal.provider().equals(token.provider())) {
            return false;
        }
        for (JwtSpec.ClaimMatch c : principal.claims()) {
            Object v = claim(token.claims(), c.name());
            boolean ok = c.stringArray()
                    ? v instanceof List<?> l && l.stream().anyMatch(item -> c.values().contains(String.valueOf(item)))
                    : v != null && !(v instanceof List<?>) && !(v instanceof Map<?, ?>)
                            && c.values().contains(String.valueOf(v));
            if (!ok) {
                return false;
            }
        }
        if (!principal.scopes().isEmpty()) {
            List<String> granted = scopes(token.claims());
            return granted.containsAll(principal.scopes());
        }
        return true;
    }

    /** OAuth 2.0 {@code scope} (space-delimited), or {@code scp} (a string or a list, as some providers send). */
    private static List<String> scopes(JWTClaimsSet claims) {
        Object scope = claims.getClaim("scope");
        if (scope == null) {
            scope = claims.getClaim("scp");
        }
        if (scope instanceof String s) {
            List<String> out = new java.util.ArrayList<>();
            int start = 0;
            for (int i = 0; i <= s.length(); i++) {
                if (i == s.length() || s.charAt(i) == ' ') {
                    if (i > start) {
                        out.add(s.substring(start, i));
                    }
                    start = i + 1;
                }
            }
            return out;
        }
        if (scope instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return List.of();
    }
}
