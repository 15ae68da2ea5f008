package dev.gatehouse.routing.route;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Hostname to value, most specific first: exact name, then the longest matching "*.suffix" wildcard,
 * then the catch-all ({@code null} or "*"). Built once per snapshot; a lookup allocates nothing.
 *
 * <p>Wildcards live in an open-addressing table keyed by a hash computed from the right end of the
 * name, so a single right-to-left walk over the request host hashes every label-boundary suffix
 * (".b.example.com", ".example.com", ".com") incrementally without a substring per probe.
 * "*.example.com" matches "a.example.com" and "a.b.example.com" but never "example.com".
 *
 * @param <T> what a host maps to
 */
final class HostIndex<T> {
    private final Map<String, T> exact;
    private final String[] suffixes;
    private final int[] suffixHashes;
    private final Object[] suffixValues;
    private final int mask;
    private final T any;
    private final List<String> hostnames;

    private HostIndex(Map<String, T> exact, Map<String, T> wildcards, T any, List<String> hostnames) {
        this.exact = Map.copyOf(exact);
        this.any = any;
        this.hostnames = List.copyOf(hostnames);
        int size = 1;
        while (size < wildcards.size() * 2) {
            size <<= 1;
        }
        this.suffixes = new String[size];
        this.suffixHashes = new int[size];
        this.suffixValues = new Object[size];
        this.mask = size - 1;
        for (Map.Entry<String, T> e : wildcards.entrySet()) {
            String suffix = e.getKey();
            int h = reverseHash(suffix);
            int slot = spread(h) & mask;
            while (suffixes[slot] != null) {
                slot = (slot + 1) & mask;
            }
            suffixes[slot] = suffix;
            suffixHashes[slot] = h;
            suffixValues[slot] = e.getValue();
        }
    }

    static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /** @param host lower case, without port; {@code null} is treated as no host (only the catch-all matches) */
    T lookup(String host) {
        if (host == null || host.isEmpty()) {
            return any;
        }
        T hit = exact.get(host);
        return hit != null ? hit : lookupNotExact(host);
    }

    /** What {@link #lookup} answers for a host that is no exact hostname: the longest wildcard, else the catch-all. */
    T lookupNotExact(String host) {
        if (host == null || host.isEmpty()) {
            return any;
        }
        int slot = wildcardSlot(host);
        return slot >= 0 ? value(slot) : any;
    }

    /** The exact hostnames (lower case) and their values. */
    Map<String, T> exact() {
        return exact;
    }

    /**
     * The configured hostname that {@link #lookup} picks for {@code host} ("a.example.com", "*.example.com",
     * "*"), or {@code null} when nothing matches. For explain; walks the same steps as lookup.
     */
    String matchedHostname(String host) {
        if (host == null || host.isEmpty()) {
            return any != null ? "*" : null;
        }
        if (exact.get(host) != null) {
            return host;
        }
        int slot = wildcardSlot(host);
        if (slot >= 0) {
            return "*" + suffixes[slot];
        }
        return any != null ? "*" : null;
    }

    /**
     * Whether one configured hostname ({@code null}, "*", exact or "*.suffix") covers {@code host}, by the
     * rules of {@link #lookup} (it builds a one-entry index, so there is no second implementation). For
     * explain only.
     */
    static boolean covers(String hostname, String host) {
        Builder<Boolean> one = builder();
        one.add(hostname, Boolean.TRUE);
        return one.build().lookup(host) != null;
    }

    @SuppressWarnings("unchecked")
    private T value(int slot) {
        return (T) suffixValues[slot];
    }

    /** The slot of the longest wildcard suffix matching {@code host}, or -1. */
    private int wildcardSlot(String host) {
        if (suffixes.length == 1 && suffixes[0] == null) {
            return -1;
        }
        int h = 0;
        int best = -1;
        // i > 0: the wildcard needs at least one character before the dot.
        for (int i = host.length() - 1; i > 0; i--) {
            char c = host.charAt(i);
            h = 31 * h + c;
            if (c == '.') {
                int slot = probe(h, host, i);
                if (slot >= 0) {
                    best = slot; // walking leftwards, so a later hit is a longer suffix
                }
            }
        }
        return best;
    }

    private int probe(int h, String host, int from) {
        int len = host.length() - from;
        int slot = spread(h) & mask;
        String s;
        while ((s = suffixes[slot]) != null) {
            if (suffixHashes[slot] == h && s.length() == len && host.regionMatches(from, s, 0, len)) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private static int reverseHash(String s) {
        int h = 0;
        for (int i = s.length() - 1; i >= 0; i--) {
            h = 31 * h + s.charAt(i);
        }
        return h;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }

    /** Hostnames in the order they were added ("*" for the catch-all), for describe(). */
    List<String> hostnames() {
        return hostnames;
    }

    static final class Builder<T> {
        private final Map<String, T> exact = new HashMap<>();
        private final Map<String, T> wildcards = new HashMap<>();
        private final List<String> hostnames = new ArrayList<>();
        private T any;

        /**
         * Adds a hostname unless an equal one was added before (the IR lists the winner first).
         *
         * @return whether it was added
         */
        boolean add(String hostname, T value) {
            if (hostname == null || hostname.equals("*")) {
                if (any != null) {
                    return false;
                }
                any = value;
                hostnames.add("*");
                return true;
            }
            String name = hostname.toLowerCase(Locale.ROOT);
            boolean added;
            if (name.startsWith("*.")) {
                added = wildcards.putIfAbsent(name.substring(1), value) == null;
            } else if (name.indexOf('*') >= 0) {
                throw new IllegalArgumentException("hostname '" + hostname + "': '*' only allowed as the first label");
            } else {
                added = exact.putIfAbsent(name, value) == null;
            }
            if (added) {
                hostnames.add(name);
            }
            return added;
        }

        HostIndex<T> build() {
            return new HostIndex<>(exact, wildcards, any, Collections.unmodifiableList(hostnames));
        }
    }
}
