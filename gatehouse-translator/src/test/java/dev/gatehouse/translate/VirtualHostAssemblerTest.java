package dev.gatehouse.translate;

import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.ir.VirtualHostSpec;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The assembler finds the wildcards over a host by name (its suffixes from each dot): it must give what comparing the
 * host with every wildcard after it ({@link Hostnames#covers}) gives, in the same order.
 */
class VirtualHostAssemblerTest {
    private static final String[] LABELS = {"a", "b", "com", "x", "api", "ab", "b.com"};

    @Test
    void wildcardsFoundByNameAreThoseEveryComparisonFinds() {
        Random random = new Random(7);
        for (int round = 0; round < 500; round++) {
            Map<String, List<RouteRule>> byHost = new LinkedHashMap<>();
            int hosts = 1 + random.nextInt(12);
            for (int h = 0; h < hosts; h++) {
                String host = host(random);
                List<RouteRule> rules = byHost.computeIfAbsent(host, k -> new ArrayList<>());
                for (int r = random.nextInt(3); r >= 0; r--) {
                    rules.add(rule(host, rules.size(), random));
                }
            }
            assertEquals(everyPair(byHost), VirtualHostAssembler.assemble(byHost), byHost.keySet().toString());
        }
    }

    @Test
    void narrowerWildcardsComeBeforeWiderOnes() {
        Map<String, List<RouteRule>> byHost = new LinkedHashMap<>();
        Random random = new Random(1);
        for (String host : List.of("*", "*.com", "a.b.com", "*.b.com", "*.a.b.com", "x.a.b.com", ".b.com", "b.com")) {
            byHost.put(host, new ArrayList<>(List.of(rule(host, 0, random))));
        }
        List<VirtualHostSpec> hosts = VirtualHostAssembler.assemble(byHost);
        assertEquals(everyPair(byHost), hosts);
        VirtualHostSpec x = hosts.stream().filter(v -> v.hostname().equals("x.a.b.com")).findFirst().orElseThrow();
        assertEquals(List.of("x.a.b.com", "*.a.b.com", "*.b.com", "*.com", "*"),
                x.rules().stream().map(r -> r.route().name()).toList());
    }

    private static String host(Random random) {
        int kind = random.nextInt(10);
        if (kind == 0) {
            return Hostnames.ANY;
        }
        StringBuilder sb = new StringBuilder(kind < 4 ? "*" : LABELS[random.nextInt(LABELS.length)]);
        for (int n = random.nextInt(3); n >= 0; n--) {
            sb.append('.').append(LABELS[random.nextInt(LABELS.length)]);
        }
        if (random.nextInt(20) == 0) {
            sb.insert(0, '.'); // not a valid hostname: covered as Hostnames.covers says all the same
        }
        return sb.toString();
    }

    private static RouteRule rule(String host, int index, Random random) {
        HttpMatchSpec match = new HttpMatchSpec(new HttpMatchSpec.PathMatchSpec(
                HttpMatchSpec.PathMatchType.PATH_PREFIX, "/" + random.nextInt(3)), List.of(), List.of(), null);
        return new RouteRule(new HttpRuleSpec(new RouteRef("HTTPRoute", "default", host, index, null, 0), match,
                List.of(), List.of(), TimeoutSpec.NONE), Instant.EPOCH.plusSeconds(random.nextInt(4)));
    }

    /** The assembly as it was: each host compared with every wildcard after it. */
    private static List<VirtualHostSpec> everyPair(Map<String, List<RouteRule>> byHost) {
        List<String> hostnames = new ArrayList<>(byHost.keySet());
        hostnames.sort(Hostnames.MOST_SPECIFIC_FIRST);
        List<VirtualHostSpec> out = new ArrayList<>();
        for (int i = 0; i < hostnames.size(); i++) {
            LinkedHashSet<HttpRuleSpec> rules = new LinkedHashSet<>(sorted(byHost.get(hostnames.get(i))));
            for (int j = i + 1; j < hostnames.size(); j++) {
                String w = hostnames.get(j);
                if ((w.equals(Hostnames.ANY) || w.startsWith("*.")) && Hostnames.covers(w, hostnames.get(i))) {
                    rules.addAll(sorted(byHost.get(w)));
                }
            }
            out.add(new VirtualHostSpec(hostnames.get(i), new ArrayList<>(rules)));
        }
        return out;
    }

    private static List<HttpRuleSpec> sorted(List<RouteRule> rules) {
        return rules.stream().sorted(Precedence.ORDER).map(RouteRule::spec).toList();
    }
}
