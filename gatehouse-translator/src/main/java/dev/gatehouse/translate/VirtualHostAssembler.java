package dev.gatehouse.translate;

import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.VirtualHostSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A listener's attached rules grouped into virtual hosts, most specific hostname first.
 *
 * <p>The data plane looks only at the most specific virtual host matching a request's host, but the spec
 * lets rules of less specific hostnames still match when the more specific ones do not (hostname
 * precedence comes before path precedence, it does not hide routes). So each virtual host lists its own
 * rules, then those of every less specific host covering it (narrower wildcards first, "*" last).
 */
final class VirtualHostAssembler {
    private VirtualHostAssembler() {
    }

    static List<VirtualHostSpec> assemble(Map<String, List<RouteRule>> rulesByHostname) {
        List<String> hostnames = new ArrayList<>(rulesByHostname.keySet());
        hostnames.sort(Hostnames.MOST_SPECIFIC_FIRST);
        // Only a wildcard ("*.b.com", "*") covers another hostname, so each host is compared with the wildcards
        // after it, not with every hostname: with 5,000 exact hostnames and a few wildcards this is linear, where
        // comparing all pairs took seconds. Each hostname's rules are sorted once.
        List<Integer> wildcards = new ArrayList<>();
        Map<String, List<HttpRuleSpec>> sortedRules = new HashMap<>();
        for (int i = 0; i < hostnames.size(); i++) {
            String host = hostnames.get(i);
            if (host.equals(Hostnames.ANY) || host.startsWith("*.")) {
                wildcards.add(i);
            }
            sortedRules.put(host, sorted(rulesByHostname.get(host)));
        }
        List<VirtualHostSpec> out = new ArrayList<>(hostnames.size());
        for (int i = 0; i < hostnames.size(); i++) {
            String host = hostnames.get(i);
            List<HttpRuleSpec> own = sortedRules.get(host);
            LinkedHashSet<HttpRuleSpec> rules = null;
            for (int j : wildcards) {
                if (j > i && Hostnames.covers(hostnames.get(j), host)) {
                    if (rules == null) {
                        rules = new LinkedHashSet<>(own);
                    }
                    rules.addAll(sortedRules.get(hostnames.get(j)));
                }
            }
            // one rule and no wildcard over it (most hosts): nothing to deduplicate, so no rule is hashed (a
            // rule's hash walks all of it, a tenth of translating 5,000 routes)
            if (rules == null && own.size() > 1) {
                rules = new LinkedHashSet<>(own);
            }
            out.add(new VirtualHostSpec(host, new ArrayList<>(rules == null ? own : rules)));
        }
        return out;
    }

    private static List<HttpRuleSpec> sorted(List<RouteRule> rules) {
        return rules.stream().sorted(Precedence.ORDER).map(RouteRule::spec).toList();
    }
}
