package dev.gatehouse.routing.balance;

import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.LoadBalancerSpec.ConsistentHashSpec;
import dev.gatehouse.routing.tls.UpstreamTls;
import io.netty.util.NetUtil;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;

/**
 * {@code loadBalancer.type: ConsistentHash}: the request's key ({@link HashKey}) indexes a {@link Maglev} table of
 * the endpoints, built at compile time over every listed endpoint (healthy or not, so a health change moves no
 * key of a healthy endpoint). When the owner is not eligible, the key is rehashed a few times, a consistent second
 * choice, so the clients of a dead endpoint spread over the others and come back when it does. A request without
 * a key gets a random eligible endpoint.
 */
final class ConsistentHashCluster extends BalancedCluster {
    /** Rehashes before scanning: enough that a cluster with half its endpoints down rarely scans. */
    private static final int REHASHES = 8;

    private final HashKey key;
    private final Maglev table;

    ConsistentHashCluster(ClusterSpec spec, List<InetSocketAddress> endpoints, EndpointHealthRegistry registry,
                          UpstreamTls tls) {
        super(spec, endpoints, registry, tls);
        ConsistentHashSpec hash = loadBalancer(spec).consistentHash();
        this.key = HashKey.compile(spec.name(), hash);
        long size = hash.tableSize() <= 0 ? ConsistentHashSpec.DEFAULT_TABLE_SIZE : hash.tableSize();
        if (size > 5_000_011 || !Maglev.isPrime(size)) {
            throw new IllegalArgumentException("cluster " + spec.name() + ": consistentHash.tableSize " + size
                    + " must be a prime no larger than 5000011");
        }
        if (endpoints.size() >= size) {
            throw new IllegalArgumentException("cluster " + spec.name() + ": consistentHash.tableSize " + size
                    + " must exceed the number of endpoints (" + endpoints.size() + ")");
        }
        String[] names = endpoints.stream().map(NetUtil::toSocketAddressString).toArray(String[]::new);
        double[] weights = new double[names.length];
        Arrays.fill(weights, 1.0);
        this.table = Maglev.build(names, weights, (int) size);
    }

    /** The key, shared with the rule's choice among backendRefs so that choice is consistent too. */
    @Override
    public HashKey hashKey() {
        return key;
    }

    @Override
    public String algorithm() {
        return "ConsistentHash(" + key + ", Maglev " + table.size() + ")";
    }

    @Override
    int choose(PickContext ctx) {
        boolean panic = panicking();
        InetSocketAddress avoid = ctx.avoid();
        long h = key.hash(ctx);
        if (h == HashKey.MISSING) {
            return randomEligible(panic, avoid);
        }
        int first = table.lookup(h);
        if (eligible(first, panic, avoid)) {
            return first;
        }
        for (int k = 1; k <= REHASHES; k++) {
            int i = table.lookup(Hashing.mix(h + k));
            if (eligible(i, panic, avoid)) {
                return i;
            }
        }
        return fallback(first, avoid);
    }
}
