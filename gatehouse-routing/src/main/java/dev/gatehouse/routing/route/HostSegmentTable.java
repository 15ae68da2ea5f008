package dev.gatehouse.routing.route;

import dev.gatehouse.routing.filter.HttpExchange;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One listener's exact hostnames and their rules' first path segments in one open-addressing table: a
 * single probe with the hash of "host" + "/" + "segment" finds the rules a request could match, where the
 * {@link HostIndex} probe and then the host's {@link SegmentIndexedRules} probe walk about ten objects
 * (the map's table, the key {@code String} and its bytes, the index, its keys, key, hashes and buckets).
 * With thousands of hosts and the traffic spread over many of them each of those is a cache miss; here a
 * probe reads its slot's ints, the host's and segment's characters in one shared array, and the candidates'
 * matchers, which lie in one array too (each candidate list ends with a {@code null}); the matchers are shared
 * by every host that repeats a match (see {@link RouteCompiler}), so they stay in cache, and of the rules
 * only the one that matches is read.
 *
 * <p>The candidates are exactly the host's {@link SegmentIndexedRules#candidates}: an entry per segment
 * key with that bucket, and an entry per host (no segment) with its "any segment" rules, used when the
 * path's segment is no key or the path does not start with '/'. Wildcard and catch-all hostnames are not
 * here: {@link #find} answers -1 for a host that is no exact hostname, and the caller asks the
 * {@link HostIndex}'s wildcards, which an exact hostname always precedes.
 */
final class HostSegmentTable {
    private static final int HASH = 0;
    private static final int HOST = 1;
    private static final int HOST_LENGTH = 2;
    private static final int SEGMENT = 3;
    /** -1 for a host's own entry (its "any segment" rules) */
    private static final int SEGMENT_LENGTH = 4;
    private static final int RULES = 5;
    private static final int STRIDE = 6;

    private static final HostSegmentTable EMPTY = new HostSegmentTable(new int[STRIDE], new char[0],
            new CompiledRoute[0], 0, 0);

    /** {@link #STRIDE} ints per slot; a slot with HOST_LENGTH 0 is free (hostnames are never empty) */
    private final int[] slots;
    private final char[] chars;
    private final CompiledRoute[] rules;
    /** {@code rules[i].matcher()}: what a scan reads, so a rule that does not match is never loaded */
    private final RequestMatcher[] matchers;
    private final int mask;
    private final int entries;

    private HostSegmentTable(int[] slots, char[] chars, CompiledRoute[] rules, int mask, int entries) {
        this.slots = slots;
        this.chars = chars;
        this.rules = rules;
        this.matchers = new RequestMatcher[rules.length];
        for (int i = 0; i < rules.length; i++) {
            matchers[i] = rules[i] == null ? null : rules[i].matcher();
        }
        this.mask = mask;
        this.entries = entries;
    }

    /** @param hosts exact hostname (lower case) to its rules, as the listener's {@link HostIndex} holds them */
    static HostSegmentTable of(Map<String, SegmentIndexedRules> hosts) {
        if (hosts.isEmpty()) {
            return EMPTY;
        }
        StringBuilder text = new StringBuilder();
        Map<String, Integer> offsets = new HashMap<>();
        List<CompiledRoute> ruleList = new ArrayList<>();
        List<int[]> made = new ArrayList<>();
        for (Map.Entry<String, SegmentIndexedRules> e : hosts.entrySet()) {
            String host = e.getKey();
            int hostAt = offset(host, text, offsets);
            int hostHash = SegmentIndexedRules.hash(0, host, 0, host.length());
            SegmentIndexedRules hostRules = e.getValue();
            made.add(entry(hostHash, hostAt, host.length(), 0, -1, hostRules.anySegmentRules(), ruleList));
            hostRules.forEachBucket((segment, bucket) -> made.add(entry(
                    SegmentIndexedRules.hash(31 * hostHash + '/', segment, 0, segment.length()), hostAt, host.length(),
                    offset(segment, text, offsets), segment.length(), bucket, ruleList)));
        }
        int size = 1;
        while (size < made.size() * 2) {
            size <<= 1;
        }
        int mask = size - 1;
        int[] slots = new int[size * STRIDE];
        for (int[] entry : made) {
            int slot = SegmentIndexedRules.spread(entry[HASH]) & mask;
            while (slots[slot * STRIDE + HOST_LENGTH] != 0) {
                slot = (slot + 1) & mask;
            }
            System.arraycopy(entry, 0, slots, slot * STRIDE, STRIDE);
        }
        char[] chars = new char[text.length()];
        text.getChars(0, text.length(), chars, 0);
        return new HostSegmentTable(slots, chars, ruleList.toArray(new CompiledRoute[0]), mask, made.size());
    }

    private static int offset(String s, StringBuilder text, Map<String, Integer> offsets) {
        return offsets.computeIfAbsent(s, k -> {
            int at = text.length();
            text.append(k);
            return at;
        });
    }

    private static int[] entry(int hash, int host, int hostLength, int segment, int segmentLength,
                               CompiledRoute[] bucket, List<CompiledRoute> ruleList) {
        int[] entry = new int[STRIDE];
        entry[HASH] = hash;
        entry[HOST] = host;
        entry[HOST_LENGTH] = hostLength;
        entry[SEGMENT] = segment;
        entry[SEGMENT_LENGTH] = segmentLength;
        entry[RULES] = ruleList.size();
        ruleList.addAll(List.of(bucket));
        ruleList.add(null);
        return entry;
    }

    /**
     * Where the rules {@code path} could match on {@code host} begin (for {@link #match} and {@link #rule}), or
     * -1 when {@code host} is no exact hostname of the listener.
     *
     * @param host lower case, without port
     * @param path the routing view of the path
     */
    int find(String host, String path) {
        if (entries == 0 || host == null || host.isEmpty()) {
            return -1;
        }
        int hostHash = SegmentIndexedRules.hash(0, host, 0, host.length());
        if (path != null && !path.isEmpty() && path.charAt(0) == '/') {
            int end = SegmentIndexedRules.firstSegmentEnd(path);
            int at = probe(SegmentIndexedRules.hash(31 * hostHash + '/', path, 1, end), host, path, 1, end - 1);
            if (at >= 0) {
                return at;
            }
        }
        return probe(hostHash, host, null, 0, -1);
    }

    /** The first of the candidates from {@code at} on (what {@link #find} answered) that matches, or {@code null}. */
    CompiledRoute match(int at, HttpExchange exchange) {
        for (RequestMatcher m; (m = matchers[at]) != null; at++) {
            if (m.matches(exchange)) {
                return rules[at];
            }
        }
        return null;
    }

    /** The {@code i}th rule of the table; the candidates {@link #find} points at end with {@code null}. */
    CompiledRoute rule(int i) {
        return rules[i];
    }

    private int probe(int h, String host, String path, int from, int length) {
        int slot = SegmentIndexedRules.spread(h) & mask;
        int at;
        while (slots[(at = slot * STRIDE) + HOST_LENGTH] != 0) {
            if (slots[at + HASH] == h && slots[at + SEGMENT_LENGTH] == length
                    && slots[at + HOST_LENGTH] == host.length()
                    && same(slots[at + HOST], host, 0, host.length())
                    && (length < 0 || same(slots[at + SEGMENT], path, from, length))) {
                return slots[at + RULES];
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private boolean same(int offset, String s, int from, int length) {
        for (int i = 0; i < length; i++) {
            if (chars[offset + i] != s.charAt(from + i)) {
                return false;
            }
        }
        return true;
    }
}
