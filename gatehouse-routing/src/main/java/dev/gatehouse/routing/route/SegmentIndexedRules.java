package dev.gatehouse.routing.route;

import dev.gatehouse.routing.filter.HttpExchange;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The precedence-ordered rules of one virtual host, bucketed by the first path segment they require, so a
 * request scans only the rules that could match it instead of every rule of the host.
 *
 * <p>First-match semantics are kept by construction: the bucket for segment "users" is the subsequence of
 * the full list holding the rules that require "users" plus every rule that accepts any segment (PathPrefix
 * "/", regexes), in the original order; so the first rule of the bucket that matches is the first rule of
 * the full list that matches. Paths whose segment no rule requires, or that do not start with '/', scan the
 * "any segment" rules only. The bucket lookup hashes the segment in place (no substring per request).
 */
final class SegmentIndexedRules {
    private final String[] keys;
    private final int[] hashes;
    private final CompiledRoute[][] buckets;
    private final int mask;
    private final CompiledRoute[] anySegment;

    private SegmentIndexedRules(Map<String, List<CompiledRoute>> bySegment, List<CompiledRoute> anySegment) {
        int size = 1;
        while (size < bySegment.size() * 2) {
            size <<= 1;
        }
        this.keys = new String[size];
        this.hashes = new int[size];
        this.buckets = new CompiledRoute[size][];
        this.mask = size - 1;
        this.anySegment = anySegment.toArray(new CompiledRoute[0]);
        for (Map.Entry<String, List<CompiledRoute>> e : bySegment.entrySet()) {
            String key = e.getKey();
            int h = hash(0, key, 0, key.length());
            int slot = spread(h) & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            hashes[slot] = h;
            buckets[slot] = e.getValue().toArray(new CompiledRoute[0]);
        }
    }

    static SegmentIndexedRules of(List<CompiledRoute> rules) {
        Map<String, List<CompiledRoute>> bySegment = new LinkedHashMap<>();
        for (CompiledRoute r : rules) {
            String segment = r.firstPathSegment();
            if (segment != null) {
                bySegment.putIfAbsent(segment, new ArrayList<>());
            }
        }
        List<CompiledRoute> anySegment = new ArrayList<>();
        for (CompiledRoute r : rules) {
            String segment = r.firstPathSegment();
            if (segment == null) {
                anySegment.add(r);
                bySegment.values().forEach(bucket -> bucket.add(r));
            } else {
                bySegment.get(segment).add(r);
            }
        }
        return new SegmentIndexedRules(bySegment, anySegment);
    }

    CompiledRoute match(HttpExchange exchange) {
        CompiledRoute[] candidates = candidates(exchange.path());
        for (CompiledRoute r : candidates) {
            if (r.matches(exchange)) {
                return r;
            }
        }
        return null;
    }

    /** The rules that could match a path, in precedence order. */
    CompiledRoute[] candidates(String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/' || keys.length == 1 && keys[0] == null) {
            return anySegment;
        }
        int end = firstSegmentEnd(path);
        int len = end - 1;
        int h = hash(0, path, 1, end);
        int slot = spread(h) & mask;
        String key;
        while ((key = keys[slot]) != null) {
            if (hashes[slot] == h && key.length() == len && path.regionMatches(1, key, 0, len)) {
                return buckets[slot];
            }
            slot = (slot + 1) & mask;
        }
        return anySegment;
    }

    /** The rules any path scans when its first segment is no key (or it has none), for {@link HostSegmentTable}. */
    CompiledRoute[] anySegmentRules() {
        return anySegment;
    }

    /** Each segment key with its bucket, for {@link HostSegmentTable}. */
    void forEachBucket(BiConsumer<String, CompiledRoute[]> action) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                action.accept(keys[i], buckets[i]);
            }
        }
    }

    /** Where the first segment of {@code path} (which starts with '/') ends: its next '/', or its end. */
    static int firstSegmentEnd(String path) {
        int end = path.indexOf('/', 1);
        return end < 0 ? path.length() : end;
    }

    /**
     * {@code s[from, to)} hashed as {@link String#hashCode} does, continuing from {@code h} (also
     * {@link HostSegmentTable}'s host + segment hash).
     */
    static int hash(int h, String s, int from, int to) {
        for (int i = from; i < to; i++) {
            h = 31 * h + s.charAt(i);
        }
        return h;
    }

    static int spread(int h) {
        return h ^ (h >>> 16);
    }
}
