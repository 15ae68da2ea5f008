package dev.gatehouse.routing.auth;

import com.google.re2j.Pattern;
import dev.gatehouse.ir.JwtSpec;
import dev.gatehouse.ir.SecurityPolicySpec;
import dev.gatehouse.routing.filter.HttpExchange;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A policy's {@code authorization}: ordered rules, the first that matches decides, else the default action. */
final class Authorization {
    private final boolean allowByDefault;
    private final List<Rule> rules = new ArrayList<>();

    private record Rule(boolean allow, List<IpSubnetFilterRule> cidrs, Map<String, List<String>> headers,
                        Set<String> consumers, Set<String> groups, Set<String> methods,
                        SecurityPolicySpec.PathSpec path, Pattern regex, JwtSpec.Principal jwt) {
        /** Every part present must match (EG: principal kinds AND, values within one OR). */
        boolean matches(HttpExchange ex) {
            if (!cidrs.isEmpty() && cidrs.stream().noneMatch(c -> c.matches(ex.remoteAddress()))) {
                return false;
            }
            for (Map.Entry<String, List<String>> h : headers.entrySet()) {
                String value = ex.request().headers().get(h.getKey());
                if (value == null || !h.getValue().contains(value)) {
                    return false;
                }
            }
            if (!consumers.isEmpty() && (ex.consumer() == null || !consumers.contains(ex.consumer()))) {
                return false;
            }
            if (!groups.isEmpty() && ex.consumerGroups().stream().noneMatch(groups::contains)) {
                return false;
            }
            if (!methods.isEmpty() && !methods.contains(ex.request().method().name())) {
                return false;
            }
            if (jwt != null && !JwtClaims.matches(jwt,
                    ex.authState() instanceof SecurityFilters.Identity id ? id.jwt : null)) {
                return false;
            }
            return path == null || pathMatches(ex.path()) != path.invert();
        }

        private boolean pathMatches(String p) {
            return switch (path.type()) {
                case EXACT -> p.equals(path.value());
                case REGULAR_EXPRESSION -> regex.matches(p);
                case PATH_PREFIX -> {
                    // segment-wise, as an HTTPRoute PathPrefix: /api matches /api and /api/x, not /apix
                    String prefix = path.value().endsWith("/") ? path.value().substring(0, path.value().length() - 1)
                            : path.value();
                    yield p.startsWith(prefix) && (p.length() == prefix.length() || p.charAt(prefix.length()) == '/');
                }
            };
        }
    }

    Authorization(SecurityPolicySpec.AuthorizationSpec spec) {
        this.allowByDefault = spec.defaultAction() == SecurityPolicySpec.Action.ALLOW;
        for (SecurityPolicySpec.AuthorizationRule r : spec.rules()) {
            List<IpSubnetFilterRule> cidrs = new ArrayList<>();
            for (String c : r.clientCidrs()) {
                int slash = c.indexOf('/');
                cidrs.add(new IpSubnetFilterRule(c.substring(0, slash), Integer.parseInt(c.substring(slash + 1)),
                        IpFilterRuleType.ACCEPT));
            }
            rules.add(new Rule(r.action() == SecurityPolicySpec.Action.ALLOW, cidrs, r.headers(),
                    new HashSet<>(r.consumers()), new HashSet<>(r.consumerGroups()), new HashSet<>(r.methods()),
                    r.path(), r.path() != null && r.path().type() == SecurityPolicySpec.PathType.REGULAR_EXPRESSION
                            ? Pattern.compile(r.path().value()) : null, r.jwt()));
        }
    }

    String describe() {
        return "default " + (allowByDefault ? "Allow" : "Deny") + ", " + rules.size() + " rule"
                + (rules.size() == 1 ? "" : "s") + ", first match wins";
    }

    boolean allows(HttpExchange ex) {
        for (Rule r : rules) {
            if (r.matches(ex)) {
                return r.allow();
            }
        }
        return allowByDefault;
    }
}
