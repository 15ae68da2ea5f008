package dev.gatehouse.routing.balance;

import dev.gatehouse.ir.LoadBalancerSpec.ConsistentHashSpec;
import dev.gatehouse.ir.LoadBalancerSpec.ConsistentHashSpec.Source;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a consistent hash hashes ({@code consistentHash.type}), read from the request through {@link PickContext}.
 * Shared by the cluster's Maglev table and the rule's choice among its backendRefs, so both see the same key.
 */
public final class HashKey {
    /** {@link #hash} when the request has no key: the caller falls back to a non-hashing choice. */
    public static final long MISSING = 0;

    private final Source source;
    private final String[] names;
    private final HashCookie cookie;
    private final String description;

    private HashKey(Source source, String[] names, HashCookie cookie, String description) {
        this.source = source;
        this.names = names;
        this.cookie = cookie;
        this.description = description;
    }

    /** @throws IllegalArgumentException naming the cluster when the spec lacks what its source needs */
    static HashKey compile(String cluster, ConsistentHashSpec spec) {
        if (spec == null || spec.source() == null) {
            throw new IllegalArgumentException("cluster " + cluster
                    + ": loadBalancer ConsistentHash needs consistentHash.type");
        }
        List<String> names = spec.names();
        return switch (spec.source()) {
            case SOURCE_IP -> new HashKey(Source.SOURCE_IP, new String[0], null, "SourceIP");
            case HEADERS, QUERY_PARAMS -> {
                if (names.isEmpty()) {
                    throw new IllegalArgumentException("cluster " + cluster + ": consistentHash."
                            + (spec.source() == Source.HEADERS ? "headers" : "queryParams") + " names nothing to hash");
                }
                yield new HashKey(spec.source(), names.toArray(new String[0]), null,
                        (spec.source() == Source.HEADERS ? "Headers " : "QueryParams ") + String.join(",", names));
            }
            case COOKIE -> {
                HashCookie c = HashCookie.compile(cluster, spec.cookie());
                yield new HashKey(Source.COOKIE, new String[0], c, "Cookie " + c.name());
            }
        };
    }

    /**
     * @return the key's hash, or {@link #MISSING}. A request without the hash cookie gets a generated value, kept
     *         in {@code ctx} so every pick of this request uses it and the response sets it.
     */
    public long hash(PickContext ctx) {
        long h;
        switch (source) {
            case SOURCE_IP -> {
                InetAddress a = ctx.sourceAddress();
                if (a == null) {
                    return MISSING;
                }
                // hashCode is the IPv4 address itself, or a hash of the IPv6 bytes: no array copy
                h = Hashing.fold(Hashing.SEED, a.hashCode());
            }
            case HEADERS, QUERY_PARAMS -> {
                h = Hashing.SEED;
                boolean any = false;
                for (String name : names) {
                    String v = source == Source.HEADERS ? ctx.header(name) : ctx.queryParam(name);
                    if (v != null) {
                        any = true;
                        h = Hashing.fold(Hashing.fold(h, v), 0x1f); // a separator: ("ab","c") != ("a","bc")
                    } else {
                        h = Hashing.fold(h, 0x2f);
                    }
                }
                if (!any) {
                    return MISSING;
                }
            }
            case COOKIE -> {
                String v = ctx.cookie(cookie.name());
                if (v == null) {
                    v = ctx.generatedCookie(cookie);
                }
                if (v == null) {
                    // first request of this client: a random value, set by the response, hashed from now on
                    v = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
                    ctx.generatedCookie(cookie, v);
                }
                h = Hashing.fold(Hashing.SEED, v);
            }
            default -> throw new IllegalStateException(source.toString());
        }
        h = Hashing.mix(h);
        return h == MISSING ? 1 : h;
    }

    /** "SourceIP", "Headers x-user", "Cookie session", "QueryParams u". */
    @Override
    public String toString() {
        return description;
    }
}
