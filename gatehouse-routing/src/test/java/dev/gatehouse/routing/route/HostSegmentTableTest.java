package dev.gatehouse.routing.route;

import dev.gatehouse.routing.filter.HttpExchange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.gatehouse.routing.Fixtures.exchange;
import static dev.gatehouse.routing.Fixtures.prefix;
import static org.assertj.core.api.Assertions.assertThat;

class HostSegmentTableTest {
    private static final String[] PATHS = {"/", "/a", "/a/", "/ab", "/a/b", "/a/bc", "/b", "/b/a", "//a", "/c", "/c/d/e",
            "/c/d/e/f", "a", "", "/x", "/ab/", "/A", null};
    /** Hosts whose hash walks collide or nearly so, a host that is another's prefix, and one with a '/' in it. */
    private static final String[] HOSTS = {"h", "a.example.com", "b.example.com", "a.example.co", "Aa", "BB", "a",
            "ab", "h/a", "example.com"};

    private static List<CompiledRoute> candidates(HostSegmentTable table, String host, String path) {
        int at = table.find(host, path);
        if (at < 0) {
            return null;
        }
        List<CompiledRoute> found = new ArrayList<>();
        for (CompiledRoute r; (r = table.rule(at)) != null; at++) {
            found.add(r);
        }
        return found;
    }

    @Test
    void findsWhatTheHostsSegmentIndexFinds() {
        Random random = new Random(16);
        for (int round = 0; round < 300; round++) {
            Map<String, SegmentIndexedRules> hosts = new LinkedHashMap<>();
            int hostCount = 1 + random.nextInt(6);
            for (int h = 0; h < hostCount; h++) {
                List<CompiledRoute> rules = SegmentIndexedRulesTest.randomRules(random, random.nextInt(8));
                // "h/a" is never configured: a request host must not reach "h"'s "a" bucket through it
                String host = HOSTS[random.nextInt(HOSTS.length - 2)];
                hosts.putIfAbsent(host, SegmentIndexedRules.of(rules));
            }
            HostSegmentTable table = HostSegmentTable.of(hosts);
            for (String host : HOSTS) {
                for (String path : PATHS) {
                    SegmentIndexedRules expected = hosts.get(host);
                    assertThat(candidates(table, host, path)).as("round %d host %s path '%s'", round, host, path)
                            .isEqualTo(expected == null ? null : List.of(expected.candidates(path)));
                    if (expected != null) {
                        HttpExchange exchange = exchange("http", 80, "GET", "/", host);
                        HttpExchange withPath = new HttpExchange(exchange.request(), "http", 80,
                                exchange.remoteAddress(), host, path, null);
                        assertThat(table.match(table.find(host, path), withPath)).as("round %d host %s path '%s'",
                                round, host, path).isSameAs(expected.match(withPath));
                    }
                }
            }
        }
    }

    @Test
    void answersNoneForHostsThatAreNoExactHostname() {
        HostSegmentTable table = HostSegmentTable.of(Map.of("a.example.com",
                SegmentIndexedRules.of(List.of(SegmentIndexedRulesTest.route(0, prefix("/api"))))));
        assertThat(table.find("b.example.com", "/api")).isEqualTo(-1);
        assertThat(table.find("", "/api")).isEqualTo(-1);
        assertThat(table.find(null, "/api")).isEqualTo(-1);
        assertThat(table.find("a.example.com/api", null)).isEqualTo(-1);
        assertThat(HostSegmentTable.of(Map.of()).find("a.example.com", "/api")).isEqualTo(-1);
        assertThat(candidates(table, "a.example.com", "/other")).isEmpty();
        assertThat(candidates(table, "a.example.com", "/api/v1")).hasSize(1);
    }
}
