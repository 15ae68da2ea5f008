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
        // Only a wildcard ("*.b.com", "*") covers another hostname, and only one made of "*" and a suffix of the
        // host starting at a dot: so each host looks up those few candidates among the wildcards by name, not
        // every wildcard (with 2,250 exact hosts under 250 wildcards that was 560,000 comparisons per reload).
        // Each hostname's rules are sorted once.
        Map<String, Integer> wildcards = new HashMap<>();
        Map<String, List<HttpRuleSpec>> sortedRules = new HashMap<>();
        for (int i = 0; i < hostnames.size(); i++) {
            String host = hostnames.get(i);
            if (host.equals(Hostnames.ANY) || host.startsWith("*.")) {
                wildcards.put(host, i);
            }
            sortedRules.put(host, sorted(rulesByHostname.get(host)));
        }
        List<VirtualHostSpec> out = new ArrayList<>(hostnames.size());
        int[] covering = new int[8];
        for (int i = 0; i < hostnames.size(); i++) {
            String host = hostnames.get(i);
            List<HttpRuleSpec> own = sortedRules.get(host);
            LinkedHashSet<HttpRuleSpec> rules = null;
            int n = 0;
            if (!wildcards.isEmpty()) {
                // "*" + the host from each of its dots but the first character's (".b.com" of "a.b.com"; a
                // wildcard host "*.a.b.com" is not covered by itself), then "*": what Hostnames.covers accepts
                for (int dot = host.indexOf('.', host.startsWith("*.") ? 2 : 1); dot > 0; dot = host.indexOf('.', dot + 1)) {
                    Integer j = wildcards.get("*" + host.substring(dot));
                    if (j != null && j > i) {
                        covering = add(covering, n++, j);
                    }
                }
                Integer any = wildcards.get(Hostnames.ANY);
                if (any != null && any > i && !host.equals(Hostnames.ANY)) {
                    covering = add(covering, n++, any);
                }
            }
            // in the order of the hostnames, as the rules' precedence across hosts wants (narrower wildcards first)
            java.util.Arrays.sort(covering, 0, n);
            for (int k = 0; k < n; k++) {
                if (rules == null) {
                    rules = new LinkedHashSet<>(own);
                }
                rules.addAll(sortedRules.get(hostnames.get(covering[k])));
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

    private static int[] add(int[] into, int at, int value) {
        int[] out = at < into.length ? into : java.util.Arrays.copyOf(into, into.length * 2);
        out[at] = value;
        return out;
    }

    private static List<HttpRuleSpec> sorted(List<RouteRule> rules) {
        return rules.stream().sorted(Precedence.ORDER).map(RouteRule::spec).toList();
    }
}
